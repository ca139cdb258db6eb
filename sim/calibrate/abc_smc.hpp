// Approximate Bayesian computation by sequential Monte Carlo (population Monte
// Carlo; Beaumont et al. 2009, Del Moral et al. 2012, Filippi et al. 2013),
// generic over a simulator: parameters -> summary vector -> distance to the
// observed figures. The migration model is one such simulator
// (calibrate/calibration.hpp); a model with a known posterior is another
// (tests/calibrate/test_abc_smc.cpp).
//
// Generation 0 draws `population` particles from the prior (tolerance
// infinite: every simulation that runs is accepted). Generation t >= 1:
//   tolerance eps_t = max(final_tolerance, the weighted `quantile` of the
//                     distances of generation t-1);
//   each particle i: repeat { draw a parent j of generation t-1 by weight;
//                     perturb it, z = z_j + L_j n with n standard normal,
//                     redrawn while outside the prior's support; simulate }
//                     until the distance is at most eps_t;
//   weight w_i proportional to prior(z_i) / sum_j w_j K_j(z_i | z_j).
// The kernel K_j is multivariate normal: `twice_covariance` uses twice the
// weighted covariance of generation t-1 for every parent (Beaumont et al.
// 2009); `optimal_local` uses, for parent j, the weighted second moment about
// z_j of the parents already within eps_t (the "optimal local covariance
// matrix" of Filippi et al. 2013). Drawing parents by weight is the
// resampling step; the effective sample size 1 / sum w^2 is recorded.
//
// Every draw is keyed by (seed, generation, particle, attempt) through the
// counter-based generator, so each particle depends only on the previous
// generation and its own index: any number of threads or MPI ranks, any order
// of work and a resumed run give the same bits.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "input/calibration_spec.hpp"

namespace migrasim {

// What one simulation is keyed by: its own 53-bit seed, and where it falls.
struct SimulationKey {
  std::uint64_t seed = 0;
  std::uint32_t generation = 0, particle = 0, attempt = 0;
};

struct AbcModel {
  std::vector<PriorSpec> priors;  // one per parameter
  std::size_t summaries = 0;      // length of what `simulate` returns
  // Parameter values (natural scale) -> summaries. NaN summaries mark a
  // simulation the parameters made impossible: it is rejected.
  std::function<std::vector<double>(std::span<const double> parameters, const SimulationKey&)>
      simulate;
  // Summaries -> distance to the observed figures (NaN: rejected).
  std::function<double(std::span<const double> summaries)> distance;
};

struct AbcSettings {
  std::uint64_t seed = 0;
  std::uint32_t population = 100;
  double quantile = 0.5;
  KernelKind kernel = KernelKind::kTwiceCovariance;
  CalibrationStop stop;
};

// One finished generation. Arrays are particle-major.
struct Generation {
  double tolerance = 0.0;               // +inf for generation 0
  std::uint64_t simulations = 0;        // run to fill this generation
  std::vector<double> parameters;       // (population x parameters), natural scale
  std::vector<double> weights;          // (population), summing to 1
  std::vector<double> distances;        // (population)
  std::vector<double> summaries;        // (population x summaries)
  std::vector<std::uint32_t> attempts;  // (population) simulations each particle took
  std::vector<std::uint32_t> parents;   // (population) index in the previous generation

  double acceptance_rate() const;
  double effective_sample_size() const;
};

// What one particle's search produced.
struct ParticleResult {
  bool accepted = false;  // false: it reached the generation's cap of attempts
  std::uint32_t attempts = 0;
  std::uint32_t parent = 0;
  double distance = 0.0;
  std::vector<double> parameters;
  std::vector<double> summaries;
};

// Runs job(i) for every particle i < count and returns the results in index
// order. Serial in one process; calibrate/calibration_mpi.cpp shares the
// particles among MPI ranks.
using ParticleJob = std::function<ParticleResult(std::uint32_t particle)>;
using Executor =
    std::function<std::vector<ParticleResult>(std::uint32_t count, const ParticleJob&)>;
std::vector<ParticleResult> run_serially(std::uint32_t count, const ParticleJob& job);

class AbcSmc {
 public:
  AbcSmc(AbcSettings settings, AbcModel model);

  const AbcSettings& settings() const { return settings_; }
  const std::vector<Generation>& generations() const { return generations_; }
  // Generations read back from a stopped run's file, to continue from.
  void restore(std::vector<Generation> generations);

  std::uint64_t total_simulations() const;
  // Simulations of a generation given up on (a particle hit the cap).
  std::uint64_t abandoned_simulations() const { return abandoned_simulations_; }

  // Why the run ends after the generations so far, or nothing if it goes on.
  std::optional<std::string> stop_reason() const;

  // Runs the next generation. Returns false, and keeps nothing of it, when a
  // particle hit the cap of attempts (stop_reason() then says why).
  bool run_generation(const Executor& executor);

  // Runs generations until a stopping rule holds; calls `finished` after each.
  // Returns the stop reason.
  std::string run(const Executor& executor,
                  const std::function<void(const AbcSmc&)>& finished = {});

  // The tolerance the next generation will use.
  double next_tolerance() const;
  // The most simulations one particle may take: 20 / min_acceptance_rate.
  std::uint32_t next_attempt_cap() const;

 private:
  struct Kernel;
  Kernel build_kernel(double tolerance) const;

  AbcSettings settings_;
  AbcModel model_;
  std::vector<Generation> generations_;
  std::uint64_t abandoned_simulations_ = 0;
  std::optional<std::string> abandoned_reason_;
};

// The weighted q-quantile of `values`: the smallest v with weight(values <= v) >= q.
double weighted_quantile(std::span<const double> values, std::span<const double> weights, double q);

}  // namespace migrasim
