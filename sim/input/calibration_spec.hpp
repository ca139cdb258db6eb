// A calibration file: which scenario to fit, the prior of each free scalar key,
// the observed figures (targets) each with its measurement error and the model
// summary it is compared with, the distance, the population size and when to
// stop. Read strictly, like a scenario: every error names file:line:column and
// the key path. See docs/calibration.md for every key.
//
//   scenario: ../tests/data/tiny.yaml
//   seed: 1
//   population: 200
//   stop: {max_generations: 8, max_simulations: 20000, final_tolerance: 1.0}
//   parameters:
//     - {name: base_rate, key: decisions.base_rate_per_day, prior: log_uniform,
//        range: [5.0e-5, 1.0e-3], units: per day}
//   targets:
//     - {name: encounters_april, series: border_encounters, window: {month: 2022-04},
//        observed: 1200, error: {relative_sd: 0.1}}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "input/place.hpp"
#include "input/sweep_spec.hpp"
#include "util/dates.hpp"

namespace migrasim {

enum class PriorKind { kUniform, kLogUniform, kNormal, kTruncatedNormal, kBeta };

// A prior distribution over one scalar. Bounds are -inf/+inf where absent.
struct PriorSpec {
  PriorKind kind = PriorKind::kUniform;
  double lower = 0.0, upper = 1.0;  // support (uniform, log_uniform, truncated_normal, beta)
  double mean = 0.0, sd = 1.0;      // normal, truncated_normal
  double alpha = 1.0, beta = 1.0;   // beta on [lower, upper]
};

struct CalibrationParameter {
  std::string name;      // the posterior file's variable holding its values
  std::string key_path;  // a scalar key of the scenario, as for --set
  std::string units = "1";
  PriorSpec prior;
  std::string location;  // file:line:column of the entry
};

struct CalibrationTarget {
  std::string name;
  std::string series;
  std::string series_location;  // "file:line:column: key.path", for a series that does not exist
  TargetPlace at;
  Date window_start, window_end;  // the steps whose start lies inside, both ends included
  std::string window_label;       // as written: "2023", "FY2023", "2023-05", "2023-01-01..."
  std::string window_location;
  // sum or mean of the window's steps; `last`/`max` as for a sweep.
  Reduction reduction = Reduction::kSum;
  bool reduction_given = false;                    // else: sum for a flow, mean for a stock
  double observed_low = 0.0, observed_high = 0.0;  // a value: low == high
  // Measurement error: sd = absolute_sd + relative_sd * midpoint of the observed range.
  double absolute_sd = 0.0, relative_sd = 0.0;
  std::string location;

  double observed_mid() const { return 0.5 * (observed_low + observed_high); }
  double error_sd() const { return absolute_sd + relative_sd * observed_mid(); }
};

enum class DistanceKind { kEuclidean, kChebyshev };
enum class KernelKind { kTwiceCovariance, kOptimalLocal };

struct CalibrationStop {
  std::uint32_t max_generations = 10;
  std::uint64_t max_simulations = 100000;
  double final_tolerance = 0.0;       // stop once a generation's tolerance is at or below it
  double min_acceptance_rate = 0.01;  // stop once a generation accepts fewer
};

struct CalibrationSpec {
  std::string file;  // as the user named it
  std::string text;  // kept in the posterior file
  std::string name;
  std::string scenario_path;  // resolved against the calibration file's folder
  std::string scenario_location;
  std::uint64_t seed = 0;
  std::uint32_t replicates = 1;              // runs per simulation; summaries are their mean
  std::vector<std::string> fixed_overrides;  // "key=value", from `set`
  std::string set_location;
  std::uint32_t population = 0;  // particles per generation
  double quantile = 0.5;         // next tolerance: this weighted quantile of the distances
  KernelKind kernel = KernelKind::kTwiceCovariance;
  DistanceKind distance = DistanceKind::kEuclidean;
  CalibrationStop stop;
  std::vector<CalibrationParameter> parameters;
  std::vector<CalibrationTarget> targets;
};

// Reads and checks a calibration file (not the scenario it names). Throws InputError.
CalibrationSpec load_calibration(const std::string& path);
CalibrationSpec parse_calibration(const std::string& text, const std::string& file);

const char* to_string(PriorKind kind);
const char* to_string(DistanceKind kind);
const char* to_string(KernelKind kind);
// The prior as one line: "log_uniform [5e-05, 0.001]".
std::string describe(const PriorSpec& prior);

}  // namespace migrasim
