#include "calibrate/abc_smc.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "calibrate/prior.hpp"
#include "util/errors.hpp"
#include "util/random.hpp"

namespace migrasim {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// A particle that cannot be accepted in this many simulations at the minimum
// acceptance rate p is beyond chance: P(more than 20/p) = (1-p)^(20/p) < e^-20.
constexpr double kAttemptsAtMinimumRate = 20.0;

// Redraws of a perturbation that left the prior's support, per attempt.
constexpr int kMaxProposalRedraws = 100000;

std::uint64_t simulation_seed(std::uint64_t seed, std::uint32_t generation, std::uint32_t particle,
                              std::uint32_t attempt) {
  Draws draws(StreamKey{seed, generation, attempt, StreamId::kCalibrationSeeds}, particle);
  const std::uint64_t high = draws.bits();
  return ((high << 32) | draws.bits()) >> 11;  // 53 bits: exact as a double in a file
}

double log_sum_exp(std::span<const double> x) {
  const double top = *std::max_element(x.begin(), x.end());
  if (!std::isfinite(top)) return top;
  double sum = 0.0;
  for (const double v : x) sum += std::exp(v - top);
  return top + std::log(sum);
}

}  // namespace

struct AbcSmc::Kernel {
  // One lower Cholesky factor per parent (all the same for twice_covariance).
  std::vector<Eigen::MatrixXd> factor;
  std::vector<double> log_det;  // log det of each factor
  bool shared = true;
  const Eigen::MatrixXd& l(std::size_t parent) const { return factor[shared ? 0 : parent]; }
  double half_log_det(std::size_t parent) const { return log_det[shared ? 0 : parent]; }
};

double Generation::acceptance_rate() const {
  return simulations == 0 ? 0.0
                          : static_cast<double>(weights.size()) / static_cast<double>(simulations);
}

double Generation::effective_sample_size() const {
  double sum = 0.0;
  for (const double w : weights) sum += w * w;
  return sum > 0.0 ? 1.0 / sum : 0.0;
}

std::vector<ParticleResult> run_serially(std::uint32_t count, const ParticleJob& job) {
  std::vector<ParticleResult> results;
  results.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) results.push_back(job(i));
  return results;
}

double weighted_quantile(std::span<const double> values, std::span<const double> weights,
                         double q) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return values[a] < values[b] || (values[a] == values[b] && a < b);
  });
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  double cumulative = 0.0;
  for (const std::size_t i : order) {
    cumulative += weights[i];
    if (cumulative >= q * total) return values[i];
  }
  return values[order.back()];
}

AbcSmc::AbcSmc(AbcSettings settings, AbcModel model)
    : settings_(std::move(settings)), model_(std::move(model)) {
  if (model_.priors.empty()) throw InputError("a calibration needs at least one parameter");
}

void AbcSmc::restore(std::vector<Generation> generations) { generations_ = std::move(generations); }

std::uint64_t AbcSmc::total_simulations() const {
  std::uint64_t total = abandoned_simulations_;
  for (const Generation& g : generations_) total += g.simulations;
  return total;
}

std::optional<std::string> AbcSmc::stop_reason() const {
  if (abandoned_reason_) return abandoned_reason_;
  if (generations_.empty()) return std::nullopt;
  const Generation& last = generations_.back();
  const CalibrationStop& stop = settings_.stop;
  if (generations_.size() > 1 && last.tolerance <= stop.final_tolerance)
    return "final_tolerance: the tolerance reached " + std::to_string(last.tolerance);
  if (last.acceptance_rate() < stop.min_acceptance_rate)
    return "min_acceptance_rate: the last generation accepted " +
           std::to_string(last.acceptance_rate());
  if (total_simulations() >= stop.max_simulations)
    return "max_simulations: " + std::to_string(total_simulations()) + " simulations run";
  if (generations_.size() >= stop.max_generations)
    return "max_generations: " + std::to_string(generations_.size()) + " generations";
  return std::nullopt;
}

double AbcSmc::next_tolerance() const {
  if (generations_.empty()) return kInfinity;
  const Generation& last = generations_.back();
  double tolerance = weighted_quantile(last.distances, last.weights, settings_.quantile);
  // Distances that take few values (counts) can leave the quantile at the
  // tolerance itself for good; then step down to the next distance below it.
  if (tolerance >= last.tolerance) {
    double below = -kInfinity;
    for (const double d : last.distances) {
      if (d < last.tolerance) below = std::max(below, d);
    }
    if (below > -kInfinity) tolerance = below;
  }
  return std::max(settings_.stop.final_tolerance, tolerance);
}

std::uint32_t AbcSmc::next_attempt_cap() const {
  return static_cast<std::uint32_t>(
      std::min(std::ceil(kAttemptsAtMinimumRate / settings_.stop.min_acceptance_rate), 4.0e9));
}

AbcSmc::Kernel AbcSmc::build_kernel(double tolerance) const {
  const Generation& previous = generations_.back();
  const std::size_t n = previous.weights.size();
  const std::size_t k = model_.priors.size();
  Eigen::MatrixXd z(n, k);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t p = 0; p < k; ++p)
      z(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(p)) =
          to_kernel_space(model_.priors[p], previous.parameters[i * k + p]);
  }
  const Eigen::Map<const Eigen::VectorXd> w(previous.weights.data(), static_cast<Eigen::Index>(n));
  const Eigen::VectorXd mean = z.transpose() * w;
  const Eigen::MatrixXd centred = z.rowwise() - mean.transpose();
  const double sum_w2 = w.squaredNorm();
  Eigen::MatrixXd covariance = centred.transpose() * w.asDiagonal() * centred;
  if (sum_w2 < 1.0) covariance /= 1.0 - sum_w2;  // unbiased for normalised weights
  // A parameter on which every particle agrees would make the covariance
  // singular; a ridge far below any parameter's scale keeps the factor defined.
  Eigen::VectorXd ridge(k);
  for (std::size_t p = 0; p < k; ++p) {
    const auto index = static_cast<Eigen::Index>(p);
    ridge(index) = 1e-12 * std::max({1.0, mean(index) * mean(index), covariance(index, index)});
  }

  const auto factorise = [&](Eigen::MatrixXd sigma, Kernel& kernel) {
    sigma.diagonal() += ridge;
    Eigen::LLT<Eigen::MatrixXd> llt(sigma);
    if (llt.info() != Eigen::Success) {
      sigma = 2.0 * covariance;
      sigma.diagonal() += ridge;
      llt.compute(sigma);
    }
    Eigen::MatrixXd l = llt.matrixL();
    kernel.log_det.push_back(l.diagonal().array().log().sum());
    kernel.factor.push_back(std::move(l));
  };

  Kernel kernel;
  if (settings_.kernel == KernelKind::kTwiceCovariance) {
    factorise(2.0 * covariance, kernel);
    return kernel;
  }
  // Optimal local covariance: for parent j, sum over the parents k already
  // within the new tolerance of w_k (z_k - z_j)(z_k - z_j)^T, normalised.
  kernel.shared = false;
  std::vector<std::size_t> close;
  double close_weight = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (previous.distances[i] <= tolerance) {
      close.push_back(i);
      close_weight += previous.weights[i];
    }
  }
  const auto dims = static_cast<Eigen::Index>(k);
  Eigen::VectorXd d(dims), scaled(dims);
  for (std::size_t j = 0; j < n; ++j) {
    if (close.empty() || !(close_weight > 0.0)) {
      factorise(2.0 * covariance, kernel);
      continue;
    }
    Eigen::MatrixXd sigma = Eigen::MatrixXd::Zero(dims, dims);
    // sigma += w_c d d^T, element by element: n x |close| outer products
    // without a temporary matrix each.
    for (const std::size_t c : close) {
      const double weight = previous.weights[c] / close_weight;
      for (Eigen::Index p = 0; p < dims; ++p) {
        d(p) = z(static_cast<Eigen::Index>(c), p) - z(static_cast<Eigen::Index>(j), p);
        scaled(p) = weight * d(p);
      }
      for (Eigen::Index col = 0; col < dims; ++col)
        for (Eigen::Index row = 0; row < dims; ++row) sigma(row, col) += d(col) * scaled(row);
    }
    factorise(std::move(sigma), kernel);
  }
  return kernel;
}

bool AbcSmc::run_generation(const Executor& executor) {
  const auto generation = static_cast<std::uint32_t>(generations_.size());
  const std::size_t k = model_.priors.size();
  const std::uint32_t n = settings_.population;
  const double tolerance = next_tolerance();
  const std::uint32_t cap = next_attempt_cap();
  const bool first = generations_.empty();
  const Generation* previous = first ? nullptr : &generations_.back();
  const Kernel kernel = first ? Kernel{} : build_kernel(tolerance);

  const auto log_prior = [&](std::span<const double> z) {
    double sum = 0.0;
    for (std::size_t p = 0; p < k; ++p) sum += prior_log_density(model_.priors[p], z[p]);
    return sum;
  };

  const ParticleJob job = [&](std::uint32_t particle) {
    ParticleResult result;
    std::vector<double> x(k), z(k);
    Eigen::VectorXd normal(static_cast<Eigen::Index>(k));
    for (std::uint32_t attempt = 0; attempt < cap; ++attempt) {
      if (first) {
        Draws draws(StreamKey{settings_.seed, generation, attempt, StreamId::kCalibrationPrior},
                    particle);
        for (std::size_t p = 0; p < k; ++p) x[p] = sample_prior(model_.priors[p], draws);
      } else {
        Draws draws(StreamKey{settings_.seed, generation, attempt, StreamId::kCalibrationProposal},
                    particle);
        int redraws = 0;
        for (;; ++redraws) {
          if (redraws == kMaxProposalRedraws) {
            throw std::runtime_error(
                "the perturbation kernel keeps proposing outside the prior's support");
          }
          result.parent = static_cast<std::uint32_t>(draws.categorical(previous->weights, 1.0));
          for (std::size_t p = 0; p < k; ++p)
            normal(static_cast<Eigen::Index>(p)) = standard_normal(draws);
          const Eigen::VectorXd step = kernel.l(result.parent) * normal;
          for (std::size_t p = 0; p < k; ++p) {
            z[p] = to_kernel_space(model_.priors[p], previous->parameters[result.parent * k + p]) +
                   step(static_cast<Eigen::Index>(p));
          }
          if (std::isfinite(log_prior(z))) break;
        }
        for (std::size_t p = 0; p < k; ++p) x[p] = from_kernel_space(model_.priors[p], z[p]);
      }
      const SimulationKey key{simulation_seed(settings_.seed, generation, particle, attempt),
                              generation, particle, attempt};
      std::vector<double> summaries = model_.simulate(x, key);
      const double distance = model_.distance(summaries);
      result.attempts = attempt + 1;
      if (distance <= tolerance) {
        result.accepted = true;
        result.distance = distance;
        result.parameters = x;
        result.summaries = std::move(summaries);
        return result;
      }
    }
    return result;
  };

  const std::vector<ParticleResult> results = executor(n, job);
  Generation g;
  g.tolerance = tolerance;
  for (const ParticleResult& r : results) g.simulations += r.attempts;
  const auto refused = std::find_if(results.begin(), results.end(),
                                    [](const ParticleResult& r) { return !r.accepted; });
  if (refused != results.end()) {
    abandoned_simulations_ += g.simulations;
    abandoned_reason_ = "min_acceptance_rate: generation " + std::to_string(generation) +
                        " given up: particle " + std::to_string(refused - results.begin()) +
                        " was not accepted in " + std::to_string(cap) + " simulations";
    return false;
  }

  g.weights.resize(n);
  g.distances.resize(n);
  g.attempts.resize(n);
  g.parents.resize(n);
  g.parameters.reserve(static_cast<std::size_t>(n) * k);
  g.summaries.reserve(static_cast<std::size_t>(n) * model_.summaries);
  for (std::uint32_t i = 0; i < n; ++i) {
    const ParticleResult& r = results[i];
    g.parameters.insert(g.parameters.end(), r.parameters.begin(), r.parameters.end());
    g.summaries.insert(g.summaries.end(), r.summaries.begin(), r.summaries.end());
    g.distances[i] = r.distance;
    g.attempts[i] = r.attempts;
    g.parents[i] = first ? i : r.parent;
  }

  if (first) {
    std::fill(g.weights.begin(), g.weights.end(), 1.0 / n);
  } else {
    // w_i = prior(z_i) / sum_j w_j K_j(z_i | z_j), in logs.
    const std::size_t m = previous->weights.size();
    std::vector<Eigen::VectorXd> parent_z(m, Eigen::VectorXd(static_cast<Eigen::Index>(k)));
    for (std::size_t j = 0; j < m; ++j) {
      for (std::size_t p = 0; p < k; ++p)
        parent_z[j](static_cast<Eigen::Index>(p)) =
            to_kernel_space(model_.priors[p], previous->parameters[j * k + p]);
    }
    std::vector<double> log_w(n), terms(m);
    std::vector<double> zi(k);
    // n x m kernel terms: the vectors are allocated once, not per term.
    Eigen::VectorXd point(static_cast<Eigen::Index>(k)), u(static_cast<Eigen::Index>(k));
    for (std::uint32_t i = 0; i < n; ++i) {
      for (std::size_t p = 0; p < k; ++p) {
        zi[p] = to_kernel_space(model_.priors[p], g.parameters[i * k + p]);
        point(static_cast<Eigen::Index>(p)) = zi[p];
      }
      for (std::size_t j = 0; j < m; ++j) {
        u = point - parent_z[j];
        kernel.l(j).triangularView<Eigen::Lower>().solveInPlace(u);
        terms[j] = std::log(previous->weights[j]) - 0.5 * u.squaredNorm() - kernel.half_log_det(j);
      }
      log_w[i] = log_prior(zi) - log_sum_exp(terms);
    }
    const double top = *std::max_element(log_w.begin(), log_w.end());
    double total = 0.0;
    for (std::uint32_t i = 0; i < n; ++i) total += g.weights[i] = std::exp(log_w[i] - top);
    for (double& w : g.weights) w /= total;
  }
  generations_.push_back(std::move(g));
  return true;
}

std::string AbcSmc::run(const Executor& executor,
                        const std::function<void(const AbcSmc&)>& finished) {
  for (;;) {
    if (auto reason = stop_reason()) return *reason;
    if (run_generation(executor) && finished) finished(*this);
  }
}

}  // namespace migrasim
