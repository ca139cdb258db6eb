#include "engine/population_sampler.hpp"

#include <sleef.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/state.hpp"

namespace migrasim {
namespace pk = population_kernel;

// The vector kernels are built on x86-64 (CMakeLists.txt); without the
// definition every draw would silently take the portable kernel.
#if (defined(__x86_64__) || defined(_M_X64)) && !MIGRASIM_POPULATION_VECTOR_KERNELS
#error "MIGRASIM_POPULATION_VECTOR_KERNELS must reach the population sampler on x86-64"
#endif

namespace {

// Draws 0 .. kWords - 1 of each agent come from its first kBlocks blocks, drawn
// for the whole batch at once; a Gamma drawn again takes from block kBlocks on.
constexpr std::uint32_t kRetryBlock = pk::kBlocks;

// The vector kernel of `kernel` takes whole vectors of agents; the portable
// one the rest (any n).
void draw_with(DrawKernel kernel, const pk::Params& p, const std::uint32_t* words,
               std::size_t stride, std::size_t n, float* savings, double* log_gammas,
               std::uint8_t* rejected) {
  std::size_t done = 0;
#if MIGRASIM_POPULATION_VECTOR_KERNELS
  if (kernel == DrawKernel::kAvx512) {
    done = pk::draw_avx512(p, words, stride, n, savings, log_gammas, rejected);
  } else if (kernel == DrawKernel::kAvx2) {
    done = pk::draw_avx2(p, words, stride, n, savings, log_gammas, rejected);
  }
#else
  (void)kernel;
#endif
  pk::draw_portable(p, words + done, stride, n - done, savings + done, log_gammas + done,
                    rejected + done);
}

void betas_with(DrawKernel kernel, const double* log_gammas, std::size_t stride, std::size_t n,
                float* risk_tolerance, float* claim_strength) {
  std::size_t done = 0;
#if MIGRASIM_POPULATION_VECTOR_KERNELS
  if (kernel == DrawKernel::kAvx512) {
    done = pk::betas_avx512(log_gammas, stride, n, risk_tolerance, claim_strength);
  } else if (kernel == DrawKernel::kAvx2) {
    done = pk::betas_avx2(log_gammas, stride, n, risk_tolerance, claim_strength);
  }
#else
  (void)kernel;
#endif
  pk::betas_portable(log_gammas + done, stride, n - done, risk_tolerance + done,
                     claim_strength + done);
}

}  // namespace

PopulationSampler::PopulationSampler(const Model& m, DrawKernel kernel) : kernel_(kernel) {
  const std::vector<DrawKernel> available = available_draw_kernels();
  if (std::find(available.begin(), available.end(), kernel) == available.end()) {
    throw std::invalid_argument(std::string("PopulationSampler: this CPU cannot run the ") +
                                to_string(kernel) + " kernel");
  }
  params_.savings_median = m.savings_usd.median;
  params_.savings_sigma = m.savings_usd.sigma;
  const double shapes[pk::kGammas] = {
      m.risk_tolerance.mean * m.risk_tolerance.concentration,
      (1.0 - m.risk_tolerance.mean) * m.risk_tolerance.concentration,
      m.asylum_claim_strength.mean * m.asylum_claim_strength.concentration,
      (1.0 - m.asylum_claim_strength.mean) * m.asylum_claim_strength.concentration,
  };
  for (unsigned k = 0; k < pk::kGammas; ++k) {
    const double drawn_shape = shapes[k] < 1.0 ? shapes[k] + 1.0 : shapes[k];
    params_.shape[k] = shapes[k];
    params_.d[k] = drawn_shape - 1.0 / 3.0;
    // SLEEF's deterministic log, like every logarithm of the draws: the same
    // bits whichever libm the program runs with.
    params_.log_d[k] = Sleef_cinz_logd1_u10purec(params_.d[k]);
    params_.c[k] = 1.0 / std::sqrt(9.0 * params_.d[k]);
    params_.inv_shape[k] = 1.0 / shapes[k];
  }
  route_aware_below_ = bernoulli_threshold(m.info_initial_awareness);
  falsified_below_ = bernoulli_threshold(m.falsified_documents_share);
  high_risk_below_ = bernoulli_threshold(m.high_risk_share);
  legal_aware_below_ = bernoulli_threshold(m.info_initial_legal_awareness);
}

void PopulationSampler::draw(const StreamKey& key, std::uint32_t first, std::size_t n, Agents& a,
                             Scratch& s) const {
  draw(key, first, n, first, a, s);
}

void PopulationSampler::draw(const StreamKey& key, std::uint32_t first, std::size_t n,
                             std::size_t slot, Agents& a, Scratch& s) const {
  if (n > kBatch) throw std::logic_error("PopulationSampler::draw: more agents than a batch");
  draw_into(key, first, n, kBatch, s.words, s.log_gammas, s.rejected, a.savings_usd.data() + slot,
            a.risk_tolerance.data() + slot, a.claim_strength.data() + slot, a.flags.data() + slot);
}

AgentAttributes PopulationSampler::draw_one(const StreamKey& key, std::uint32_t entity) const {
  std::uint32_t words[pk::kWords];
  double log_gammas[pk::kGammas];
  std::uint8_t rejected = 0;
  AgentAttributes out;
  draw_into(key, entity, 1, 1, words, log_gammas, &rejected, &out.savings_usd, &out.risk_tolerance,
            &out.claim_strength, &out.flags);
  return out;
}

void PopulationSampler::draw_many(const StreamKey& key, const std::uint32_t* entities,
                                  std::size_t n, AgentAttributes* out, Scratch& s) const {
  if (n > kBatch) throw std::logic_error("PopulationSampler::draw_many: more agents than a batch");
  constexpr std::size_t stride = kBatch;
  // Each agent's words from its own stream, as philox_blocks lays them out.
  for (std::size_t j = 0; j < n; ++j) {
    Draws draws(key, entities[j]);
    for (unsigned w = 0; w < pk::kWords; ++w) s.words[w * stride + j] = draws.bits();
  }
  float savings[kBatch], risk_tolerance[kBatch], claim_strength[kBatch];
  std::uint8_t flags[kBatch] = {};
  draw_into(key, 0, n, stride, s.words, s.log_gammas, s.rejected, savings, risk_tolerance,
            claim_strength, flags, entities);
  for (std::size_t j = 0; j < n; ++j) {
    out[j] = {savings[j], risk_tolerance[j], claim_strength[j], flags[j]};
  }
}

void PopulationSampler::draw_into(const StreamKey& key, std::uint32_t first, std::size_t n,
                                  std::size_t stride, std::uint32_t* words, double* log_gammas,
                                  std::uint8_t* rejected, float* savings, float* risk_tolerance,
                                  float* claim_strength, std::uint8_t* flags_out,
                                  const std::uint32_t* entities) const {
  // A single agent takes the portable kernel: the vector ones take whole vectors.
  const DrawKernel kernel = n == 1 ? DrawKernel::kPortable : kernel_;
  if (entities == nullptr) philox_blocks(kernel, key, first, n, pk::kBlocks, words, stride);

  draw_with(kernel, params_, words, stride, n, savings, log_gammas, rejected);

  // Gammas whose first attempt was rejected (about 2% of attempts at the
  // baseline's shapes; 8% of agents have one) are drawn again, one agent at a
  // time, from the agent's later blocks: each attempt takes a Box-Muller pair
  // and an acceptance uniform, the Gammas in order.
  for (std::size_t j = 0; j < n; ++j) {
    if (rejected[j] == 0) continue;
    Draws retries(key, entities != nullptr ? entities[j] : first + static_cast<std::uint32_t>(j));
    retries.skip_to_block(kRetryBlock);
    for (unsigned k = 0; k < pk::kGammas; ++k) {
      if (!(rejected[j] >> k & 1u)) continue;
      const std::uint32_t boost_word = words[(pk::kBoost0 + k) * stride + j];
      for (;;) {
        const std::uint32_t u1 = retries.bits();
        const std::uint32_t u2 = retries.bits();
        const std::uint32_t u = retries.bits();
        if (pk::gamma_retry(params_, k, u1, u2, u, boost_word, &log_gammas[k * stride + j])) {
          break;
        }
      }
    }
  }
  betas_with(kernel, log_gammas, stride, n, risk_tolerance, claim_strength);

  const std::uint32_t* w = words;
  for (std::size_t j = 0; j < n; ++j) {
    std::uint8_t flags =
        flags_out[j] & ~(kRouteAware | kFalsifiedDocuments | kHighRisk | kLegalAware);
    if (w[pk::kTrialRouteAware * stride + j] < route_aware_below_) flags |= kRouteAware;
    if (w[pk::kTrialFalsifiedDocuments * stride + j] < falsified_below_)
      flags |= kFalsifiedDocuments;
    if (w[pk::kTrialHighRisk * stride + j] < high_risk_below_) flags |= kHighRisk;
    if (w[pk::kTrialLegalAware * stride + j] < legal_aware_below_) flags |= kLegalAware;
    flags_out[j] = flags;
  }
}

}  // namespace migrasim
