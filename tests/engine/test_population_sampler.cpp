// The initial population's attributes: every kernel gives the same bits, an
// agent's attributes do not depend on how agents are batched, rejected Gammas
// are redrawn as documented, and the draws follow the scenario's distributions
// (Kolmogorov-Smirnov against the exact Beta distribution, moments of the
// lognormal, Bernoulli frequencies, no correlation between attributes).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/population_sampler.hpp"
#include "engine/state.hpp"
#include "input/scenario.hpp"
#include "model/model.hpp"
#include "test_support.hpp"

namespace migrasim {
namespace {

using testing::tiny_with;

Model population_model(const std::string& risk, const std::string& claim, std::size_t agents) {
  const std::string text = tiny_with("  persons_per_agent: 2\n",
                                     "  persons_per_agent: 2\n"
                                     "  savings_usd: {median: 12000, sigma: 0.7}\n"
                                     "  risk_tolerance: " +
                                         risk +
                                         "\n"
                                         "  asylum_claim_strength: " +
                                         claim +
                                         "\n"
                                         "  falsified_documents_share: 0.1\n"
                                         "  high_risk_share: 0.05\n");
  return compile(parse_scenario(
      text, "population.yaml",
      {"population.agents=" + std::to_string(agents), "information.initial_route_awareness=0.3",
       "information.initial_legal_awareness=0.2"}));
}

Agents empty_agents(std::size_t n) {
  Agents a;
  a.savings_usd.assign(n, 0.0f);
  a.risk_tolerance.assign(n, 0.0f);
  a.claim_strength.assign(n, 0.0f);
  a.flags.assign(n, 0);
  return a;
}

// Draws agents 0 .. n - 1 in batches that start at `offset` (the first batch
// is shorter when the offset is not 0). `log_gammas`, if given, receives the
// Gammas' logarithms (double precision, before the Betas are rounded to float):
// Gamma k of agent i at [k * n + i].
Agents draw_population(const Model& m, DrawKernel kernel, std::size_t offset = 0,
                       std::vector<double>* log_gammas = nullptr) {
  const std::size_t n = m.agents;
  Agents a = empty_agents(n);
  const PopulationSampler sampler(m, kernel);
  auto scratch = std::make_unique<PopulationSampler::Scratch>();
  const StreamKey key{m.seed, 3, 0, StreamId::kInitialPopulation};
  if (log_gammas != nullptr) log_gammas->assign(population_kernel::kGammas * n, 0.0);
  std::size_t first = 0;
  std::size_t size = offset % PopulationSampler::kBatch;
  if (size == 0) size = PopulationSampler::kBatch;
  while (first < n) {
    size = std::min(size, n - first);
    sampler.draw(key, static_cast<std::uint32_t>(first), size, a, *scratch);
    if (log_gammas != nullptr) {
      for (std::size_t k = 0; k < population_kernel::kGammas; ++k) {
        for (std::size_t j = 0; j < size; ++j) {
          (*log_gammas)[k * n + first + j] = scratch->log_gammas[k * PopulationSampler::kBatch + j];
        }
      }
    }
    first += size;
    size = PopulationSampler::kBatch;
  }
  return a;
}

template <class T>
bool same_bits(const std::vector<T>& x, const std::vector<T>& y) {
  return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size() * sizeof(T)) == 0;
}

// Kolmogorov-Smirnov distance between the sample and Beta(a, b).
double ks_distance_to_beta(std::vector<float> sample, double a, double b) {
  std::sort(sample.begin(), sample.end());
  const double n = static_cast<double>(sample.size());
  double d = 0.0;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const double cdf = boost::math::ibeta(a, b, static_cast<double>(sample[i]));
    d = std::max({d, cdf - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - cdf});
  }
  return d;
}

// Critical value of the KS distance at significance 0.001 (sqrt(-ln(0.0005) / 2) / sqrt(n)).
double ks_critical(std::size_t n) {
  return std::sqrt(-std::log(0.0005) / 2.0) / std::sqrt(static_cast<double>(n));
}

TEST(PopulationSampler, EveryKernelGivesTheSameBits) {
  // Shapes above and below 1 (the boost), 20,011 agents: whole batches, a
  // short last one, and tails shorter than a vector.
  const Model m =
      population_model("{mean: 0.35, concentration: 4}", "{mean: 0.3, concentration: 3}", 20011);
  std::vector<double> portable_log_gammas, log_gammas;
  const Agents portable = draw_population(m, DrawKernel::kPortable, 0, &portable_log_gammas);
  for (const DrawKernel kernel : available_draw_kernels()) {
    const Agents a = draw_population(m, kernel, 0, &log_gammas);
    // The double-precision Gammas too, where a difference would reach the
    // float attributes only now and then.
    EXPECT_TRUE(same_bits(log_gammas, portable_log_gammas)) << to_string(kernel);
    EXPECT_TRUE(same_bits(a.savings_usd, portable.savings_usd)) << to_string(kernel);
    EXPECT_TRUE(same_bits(a.risk_tolerance, portable.risk_tolerance)) << to_string(kernel);
    EXPECT_TRUE(same_bits(a.claim_strength, portable.claim_strength)) << to_string(kernel);
    EXPECT_TRUE(same_bits(a.flags, portable.flags)) << to_string(kernel);
  }
}

TEST(PopulationSampler, AnAgentsAttributesDoNotDependOnTheBatching) {
  const Model m =
      population_model("{mean: 0.35, concentration: 4}", "{mean: 0.3, concentration: 3}", 3000);
  const Agents aligned = draw_population(m, fastest_draw_kernel());
  for (const std::size_t offset : {1u, 7u, 100u, 255u}) {
    const Agents shifted = draw_population(m, fastest_draw_kernel(), offset);
    EXPECT_TRUE(same_bits(shifted.savings_usd, aligned.savings_usd)) << offset;
    EXPECT_TRUE(same_bits(shifted.risk_tolerance, aligned.risk_tolerance)) << offset;
    EXPECT_TRUE(same_bits(shifted.claim_strength, aligned.claim_strength)) << offset;
    EXPECT_TRUE(same_bits(shifted.flags, aligned.flags)) << offset;
  }
}

TEST(PopulationSampler, SavingsAreLognormal) {
  constexpr std::size_t kN = 200000;
  const Model m =
      population_model("{mean: 0.35, concentration: 4}", "{mean: 0.3, concentration: 3}", kN);
  const Agents a = draw_population(m, fastest_draw_kernel());
  // z = ln(savings / median) / sigma is standard normal: its mean within five
  // standard errors of 0, its variance within five of 1 (var of z^2 is 2).
  double sum = 0, sum2 = 0;
  for (const float s : a.savings_usd) {
    const double z = std::log(static_cast<double>(s) / 12000.0) / 0.7;
    sum += z;
    sum2 += z * z;
  }
  const double n = kN;
  EXPECT_NEAR(sum / n, 0.0, 5 * std::sqrt(1.0 / n));
  EXPECT_NEAR(sum2 / n, 1.0, 5 * std::sqrt(2.0 / n));
}

struct BetaCase {
  double mean, concentration;
};

class PopulationBeta : public ::testing::TestWithParam<BetaCase> {};

// Beta draws against the exact distribution, for shapes well below 1, near 1
// (where Marsaglia and Tsang's sampler rejects most often), and large.
TEST_P(PopulationBeta, FollowsTheBetaDistribution) {
  constexpr std::size_t kN = 100000;
  const BetaCase c = GetParam();
  const std::string spec = "{mean: " + std::to_string(c.mean) +
                           ", concentration: " + std::to_string(c.concentration) + "}";
  const Model m = population_model(spec, spec, kN);
  const Agents a = draw_population(m, fastest_draw_kernel());
  const double alpha = m.risk_tolerance.mean * m.risk_tolerance.concentration;
  const double beta = (1.0 - m.risk_tolerance.mean) * m.risk_tolerance.concentration;
  for (const auto* column : {&a.risk_tolerance, &a.claim_strength}) {
    for (const float x : *column) {
      ASSERT_GE(x, 0.0f);
      ASSERT_LE(x, 1.0f);
    }
    EXPECT_LT(ks_distance_to_beta(*column, alpha, beta), ks_critical(kN));
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, PopulationBeta,
                         ::testing::Values(BetaCase{0.35, 4.0},      // 1.4, 2.6 (baseline risk)
                                           BetaCase{0.3, 3.0},       // 0.9, 2.1 (baseline claim)
                                           BetaCase{0.5, 2.0},       // 1, 1: uniform
                                           BetaCase{0.2, 0.5},       // 0.1, 0.4
                                           BetaCase{0.9, 5000.0}));  // 4500, 500

// Shapes so small that X and Y underflow (Beta(0.0002, 0.0008) puts nearly all
// its mass within 1e-300 of 0 or 1): no NaN, and the share above 1/2 is the
// exact one.
TEST(PopulationSampler, TinyShapesGiveNoNaN) {
  constexpr std::size_t kN = 100000;
  const Model m = population_model("{mean: 0.2, concentration: 0.001}",
                                   "{mean: 0.2, concentration: 0.001}", kN);
  const Agents a = draw_population(m, fastest_draw_kernel());
  const double p = 1.0 - boost::math::ibeta(0.0002, 0.0008, 0.5);
  for (const auto* column : {&a.risk_tolerance, &a.claim_strength}) {
    double upper = 0;
    for (const float x : *column) {
      ASSERT_GE(x, 0.0f);  // false for NaN
      ASSERT_LE(x, 1.0f);
      upper += x > 0.5f;
    }
    EXPECT_NEAR(upper / kN, p, 5 * std::sqrt(p * (1 - p) / kN));
  }
}

// The sampler a rejected Gamma is drawn again with, alone: attempts until one is
// accepted give the Gamma distribution (Kolmogorov-Smirnov against the exact
// one) for shape 1, where Marsaglia and Tsang's method rejects most, and for
// shape 0.5 (Gamma(1.5) boosted by U^2).
TEST(PopulationSampler, GammaRetriesFollowTheGammaDistribution) {
  constexpr std::size_t kN = 100000;
  const Model m =
      population_model("{mean: 0.25, concentration: 2}", "{mean: 0.5, concentration: 2}", 16);
  const PopulationSampler sampler(m);
  const population_kernel::Params& p = sampler.params();
  for (const unsigned k : {0u, 2u}) {
    std::vector<float> sample(kN);
    std::size_t attempts = 0;
    for (std::size_t i = 0; i < kN; ++i) {
      Draws d(StreamKey{11, 0, 0, StreamId::kInitialPopulation}, static_cast<std::uint32_t>(i));
      const std::uint32_t boost = d.bits();
      double log_gamma = 0;
      for (;;) {
        ++attempts;
        const std::uint32_t u1 = d.bits(), u2 = d.bits(), u = d.bits();
        if (population_kernel::gamma_retry(p, k, u1, u2, u, boost, &log_gamma)) break;
      }
      // Through the CDF, so one KS helper serves: Gamma(s) CDF = P(s, x).
      sample[i] = static_cast<float>(boost::math::gamma_p(p.shape[k], std::exp(log_gamma)));
    }
    EXPECT_LT(ks_distance_to_beta(sample, 1.0, 1.0), ks_critical(kN)) << "shape " << p.shape[k];
    // Marsaglia and Tsang: about 5% of attempts are rejected at d = 2/3.
    EXPECT_GT(attempts, kN + kN / 50) << "shape " << p.shape[k];
  }
}

// How draw() redraws a rejected Gamma, redone by hand for every agent with one:
// attempts from the agent's stream at block 5 on, three words each, the
// Gammas in order, the boost from the fixed layout.
TEST(PopulationSampler, RejectedGammasAreRedrawnFromBlockFive) {
  const Model m =
      population_model("{mean: 0.35, concentration: 4}", "{mean: 0.3, concentration: 3}", 4096);
  const PopulationSampler sampler(m);
  const population_kernel::Params& p = sampler.params();
  Agents a = empty_agents(m.agents);
  auto scratch = std::make_unique<PopulationSampler::Scratch>();
  const StreamKey key{m.seed, 1, 0, StreamId::kInitialPopulation};
  constexpr std::size_t kBatch = PopulationSampler::kBatch;
  int redrawn = 0;
  for (std::size_t first = 0; first < m.agents; first += kBatch) {
    sampler.draw(key, static_cast<std::uint32_t>(first), kBatch, a, *scratch);
    for (std::size_t j = 0; j < kBatch; ++j) {
      if (scratch->rejected[j] == 0) continue;
      Draws d(key, static_cast<std::uint32_t>(first + j));
      d.skip_to_block(5);
      for (unsigned k = 0; k < population_kernel::kGammas; ++k) {
        if (!(scratch->rejected[j] >> k & 1u)) continue;
        const std::uint32_t boost = scratch->words[(population_kernel::kBoost0 + k) * kBatch + j];
        double expected = 0;
        for (;;) {
          const std::uint32_t u1 = d.bits(), u2 = d.bits(), u = d.bits();
          if (population_kernel::gamma_retry(p, k, u1, u2, u, boost, &expected)) break;
        }
        EXPECT_EQ(scratch->log_gammas[k * kBatch + j], expected) << first + j << " gamma " << k;
        ++redrawn;
      }
    }
  }
  // About 2% of 4 x 4,096 attempts at these shapes.
  EXPECT_GT(redrawn, 100);
  EXPECT_LT(redrawn, 600);
}

// Attributes drawn from different words are independent: the correlation of
// each pair is within five standard errors (1 / sqrt(n)) of 0.
TEST(PopulationSampler, AttributesAreUncorrelated) {
  constexpr std::size_t kN = 200000;
  const Model m =
      population_model("{mean: 0.35, concentration: 4}", "{mean: 0.3, concentration: 3}", kN);
  const Agents a = draw_population(m, fastest_draw_kernel());
  std::vector<std::vector<double>> columns(4, std::vector<double>(kN));
  for (std::size_t i = 0; i < kN; ++i) {
    columns[0][i] = std::log(static_cast<double>(a.savings_usd[i]));
    columns[1][i] = a.risk_tolerance[i];
    columns[2][i] = a.claim_strength[i];
    columns[3][i] = (a.flags[i] & kRouteAware) != 0;
  }
  const auto correlation = [](const std::vector<double>& x, const std::vector<double>& y) {
    const double n = static_cast<double>(x.size());
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      sx += x[i];
      sy += y[i];
      sxx += x[i] * x[i];
      syy += y[i] * y[i];
      sxy += x[i] * y[i];
    }
    return (sxy - sx * sy / n) / std::sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
  };
  for (std::size_t c = 0; c < columns.size(); ++c) {
    for (std::size_t d = c + 1; d < columns.size(); ++d) {
      EXPECT_NEAR(correlation(columns[c], columns[d]), 0.0, 5.0 / std::sqrt(double{kN}))
          << "columns " << c << " and " << d;
    }
  }
}

TEST(PopulationSampler, FlagsFollowTheirShares) {
  constexpr std::size_t kN = 200000;
  const Model m =
      population_model("{mean: 0.35, concentration: 4}", "{mean: 0.3, concentration: 3}", kN);
  Agents a = draw_population(m, fastest_draw_kernel());
  const std::pair<std::uint8_t, double> shares[] = {
      {kRouteAware, 0.3}, {kFalsifiedDocuments, 0.1}, {kHighRisk, 0.05}, {kLegalAware, 0.2}};
  for (const auto& [flag, p] : shares) {
    double set = 0;
    for (const std::uint8_t f : a.flags) set += (f & flag) != 0;
    EXPECT_NEAR(set / kN, p, 5 * std::sqrt(p * (1 - p) / kN)) << int{flag};
  }
  // Flags the sampler does not draw are kept.
  for (std::uint8_t& f : a.flags) f = kCoerced;
  const PopulationSampler sampler(m);
  auto scratch = std::make_unique<PopulationSampler::Scratch>();
  sampler.draw(StreamKey{m.seed, 0, 0, StreamId::kInitialPopulation}, 0, 100, a, *scratch);
  for (std::size_t i = 0; i < 100; ++i) EXPECT_TRUE(a.flags[i] & kCoerced) << i;
}

}  // namespace
}  // namespace migrasim
