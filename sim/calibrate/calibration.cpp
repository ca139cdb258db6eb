#include "calibrate/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <filesystem>
#include <limits>
#include <mutex>
#include <string_view>

#include "engine/simulation.hpp"
#include "engine/state.hpp"
#include "input/scenario.hpp"
#include "model/series.hpp"
#include "model/series_at.hpp"
#include "sweep/sweep_design.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

namespace fs = std::filesystem;
constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// The values a prior reaches that the scenario must accept: the ends of its
// range, or four sds either side of a normal's mean.
std::vector<double> extremes(const PriorSpec& p) {
  if (p.kind == PriorKind::kNormal) return {p.mean - 4.0 * p.sd, p.mean + 4.0 * p.sd};
  return {p.lower, p.upper};
}

}  // namespace

Calibration::Calibration(CalibrationSpec spec) : spec_(std::move(spec)) {
  std::error_code error;
  if (!fs::is_regular_file(spec_.scenario_path, error)) {
    throw InputError(spec_.scenario_location + ": scenario: cannot open the scenario file '" +
                     spec_.scenario_path + "' (paths are relative to the calibration file)");
  }
  base_ = load_composed_document(spec_.scenario_path);
  try {
    reference_ = compile(scenario_from_document(base_, spec_.scenario_path, spec_.fixed_overrides));
  } catch (const InputError& e) {
    throw InputError((spec_.set_location.empty() ? spec_.file : spec_.set_location) +
                     ": set: the scenario does not accept these values: " + e.what());
  }

  for (std::size_t p = 0; p < spec_.parameters.size(); ++p) {
    const CalibrationParameter& parameter = spec_.parameters[p];
    SweepParameter as_swept;
    as_swept.key_path = parameter.key_path;
    for (const double value : extremes(parameter.prior)) {
      std::vector<std::string> overrides = spec_.fixed_overrides;
      overrides.push_back(parameter_override(as_swept, value));
      try {
        compile(scenario_from_document(base_, spec_.scenario_path, overrides));
      } catch (const InputError& e) {
        throw InputError(parameter.location + ": parameters[" + std::to_string(p) + "] (" +
                         parameter.name + "): the scenario does not accept " + overrides.back() +
                         ", which the prior " + describe(parameter.prior) +
                         " reaches: " + e.what());
      }
    }
  }

  const Model& m = reference_;
  const Date run_end{m.start_date.days_since_epoch +
                     static_cast<std::int32_t>(std::ceil(m.steps * m.step_days)) - 1};
  for (const CalibrationTarget& target : spec_.targets) {
    const SeriesAt source = resolve_series_at(m, target.series, target.series_location, target.at);
    sources_.push_back(source);

    const bool flow = source.is_flow;
    if (target.reduction_given && target.reduction == Reduction::kSum && !flow) {
      throw InputError(target.series_location + ": '" + target.series +
                       "' is a stock (a value at the end of each step): a sum of it over the "
                       "window would mean nothing; use reduce: mean, last or max");
    }
    reductions_.push_back(target.reduction_given ? target.reduction
                          : flow                 ? Reduction::kSum
                                                 : Reduction::kMean);

    if (target.window_start < m.start_date || run_end < target.window_end) {
      throw InputError(target.window_location + ": the window " + target.window_label + " (" +
                       to_string(target.window_start) + " to " + to_string(target.window_end) +
                       ") reaches outside the run, " + to_string(m.start_date) + " to " +
                       to_string(run_end));
    }
    std::vector<std::int32_t> steps;
    for (std::int32_t t = 0; t < m.steps; ++t) {
      const Date start{m.start_date.days_since_epoch +
                       static_cast<std::int32_t>(std::floor(t * m.step_days))};
      if (!(start < target.window_start) && !(target.window_end < start)) steps.push_back(t);
    }
    if (steps.empty()) {
      throw InputError(target.window_location + ": no step of the run starts inside the window " +
                       target.window_label);
    }
    steps_.push_back(std::move(steps));
  }
}

std::vector<std::string> Calibration::overrides(std::span<const double> parameters) const {
  std::vector<std::string> result = spec_.fixed_overrides;
  for (std::size_t p = 0; p < spec_.parameters.size(); ++p) {
    SweepParameter as_swept;
    as_swept.key_path = spec_.parameters[p].key_path;
    result.push_back(parameter_override(as_swept, parameters[p]));
  }
  return result;
}

Model Calibration::model(std::span<const double> parameters) const {
  // Particles run side by side (calibrate_run.hpp) compile their scenarios
  // from the same YAML trees, which yaml-cpp does not let threads read at once.
  static std::mutex compiling;
  const std::lock_guard<std::mutex> lock(compiling);
  return compile(scenario_from_document(base_, spec_.scenario_path, overrides(parameters)));
}

std::vector<double> Calibration::simulate(std::span<const double> parameters,
                                          const SimulationKey& key) const {
  std::vector<double> summaries(spec_.targets.size(), 0.0);
  Model m;
  try {
    m = model(parameters);
  } catch (const InputError&) {
    // Values the scenario refuses only in combination: not a simulation.
    return std::vector<double>(spec_.targets.size(), kMissing);
  }
  if (m.steps != reference_.steps || m.node_count() != reference_.node_count() ||
      m.start_date != reference_.start_date) {
    throw InputError(spec_.file +
                     ": a parameter changes the time axis or the route's nodes, "
                     "which the targets are read on; calibrate other keys");
  }
  m.seed = key.seed;
  m.replicates = spec_.replicates;
  State state = make_state(m);
  const auto steps = static_cast<std::size_t>(m.steps);
  for (std::uint32_t r = 0; r < spec_.replicates; ++r) {
    if (poll_) {
      run_replicate(m, r, state, [this](const State&, const char*) { poll_(); });
    } else {
      run_replicate(m, r, state);
    }
    for (std::size_t k = 0; k < spec_.targets.size(); ++k) {
      const SeriesAt& s = sources_[k];
      const double* base = s.first_value(state.recording, steps);
      const std::size_t stride = s.stride();
      const std::vector<std::int32_t>& window = steps_[k];
      double value = 0.0;
      switch (reductions_[k]) {
        case Reduction::kSum:
        case Reduction::kMean:
          for (const std::int32_t t : window) value += base[t * stride];
          if (reductions_[k] == Reduction::kMean) value /= static_cast<double>(window.size());
          break;
        case Reduction::kLast:
          value = base[window.back() * stride];
          break;
        case Reduction::kMax:
          value = base[window.front() * stride];
          for (const std::int32_t t : window) value = std::max(value, base[t * stride]);
          break;
        case Reduction::kPerStep:
          break;
      }
      summaries[k] += value / spec_.replicates;
    }
  }
  return summaries;
}

double Calibration::distance(std::span<const double> summaries) const {
  double total = 0.0;
  for (std::size_t k = 0; k < spec_.targets.size(); ++k) {
    const CalibrationTarget& t = spec_.targets[k];
    const double s = summaries[k];
    if (std::isnan(s)) return kMissing;
    const double outside = s < t.observed_low    ? s - t.observed_low
                           : s > t.observed_high ? s - t.observed_high
                                                 : 0.0;
    const double residual = outside / t.error_sd();
    if (spec_.distance == DistanceKind::kEuclidean) {
      total += residual * residual;
    } else {
      total = std::max(total, std::fabs(residual));
    }
  }
  return spec_.distance == DistanceKind::kEuclidean ? std::sqrt(total) : total;
}

AbcModel Calibration::abc_model() const {
  AbcModel model;
  for (const CalibrationParameter& p : spec_.parameters) model.priors.push_back(p.prior);
  model.summaries = spec_.targets.size();
  model.simulate = [this](std::span<const double> x, const SimulationKey& key) {
    return simulate(x, key);
  };
  model.distance = [this](std::span<const double> s) { return distance(s); };
  return model;
}

AbcSettings Calibration::abc_settings() const {
  AbcSettings settings;
  settings.seed = spec_.seed;
  settings.population = spec_.population;
  settings.quantile = spec_.quantile;
  settings.kernel = spec_.kernel;
  settings.stop = spec_.stop;
  return settings;
}

std::string Calibration::target_units(std::size_t target) const {
  const SeriesAt& s = sources_[target];
  std::string units = s.axis_series ? axis_series_info(static_cast<AxisSeries>(s.series)).units
                                    : series_info(s.series).units;
  constexpr std::string_view kPerStep = " per step";
  if (reductions_[target] == Reduction::kSum && units.ends_with(kPerStep))
    units.resize(units.size() - kPerStep.size());
  return units;
}

std::string Calibration::target_long_name(std::size_t target) const {
  const CalibrationTarget& t = spec_.targets[target];
  std::string name = "simulated " + t.series;
  if (!t.at.kind.empty()) name += " at " + t.at.kind + " " + t.at.name;
  return name + ", " + to_string(reductions_[target]) + " over " + t.window_label + " (" +
         to_string(t.window_start) + " to " + to_string(t.window_end) + "), mean of " +
         std::to_string(spec_.replicates) + " replicate(s)";
}

}  // namespace migrasim
