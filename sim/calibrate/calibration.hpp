// The migration model as an ABC simulator: a calibration file's parameters set
// as scenario keys, a simulation run for its replicates, and each target's
// summary read off the recorded series (at a node, over a window) and set
// against the observed figure, scaled by its measurement error.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "calibrate/abc_smc.hpp"
#include "input/calibration_spec.hpp"
#include "input/composition.hpp"
#include "model/model.hpp"
#include "model/series_at.hpp"

namespace migrasim {

class Calibration {
 public:
  // Reads the scenario; checks that every parameter's key exists and takes
  // the ends of its prior's range, and that every target names a series and
  // place the scenario has, over a window inside the run. Throws InputError
  // naming the calibration file's line.
  explicit Calibration(CalibrationSpec spec);

  const CalibrationSpec& spec() const { return spec_; }
  // The scenario with only the calibration's fixed `set` overrides.
  const Model& reference() const { return reference_; }

  // "key=value" overrides giving the parameters these values.
  std::vector<std::string> overrides(std::span<const double> parameters) const;
  // The model with these parameter values; throws InputError if the scenario refuses them.
  Model model(std::span<const double> parameters) const;

  // Runs the scenario with these values and returns one summary per target,
  // the mean over the replicates; NaN when the scenario refuses the values.
  std::vector<double> simulate(std::span<const double> parameters, const SimulationKey& key) const;
  // Residual of each target in measurement sds (0 inside an observed range),
  // combined as the spec's distance says.
  double distance(std::span<const double> summaries) const;

  // Called after every stage of every simulation (rank 0 of an MPI run
  // answers the other ranks there).
  void set_poll(std::function<void()> poll) const { poll_ = std::move(poll); }

  AbcModel abc_model() const;
  AbcSettings abc_settings() const;

  // The units of a target's summary ("persons" for a sum of "persons per step").
  std::string target_units(std::size_t target) const;
  std::string target_long_name(std::size_t target) const;
  Reduction target_reduction(std::size_t target) const { return reductions_[target]; }

 private:
  // Where a target reads its series: value at step t is base[t * stride]
  // within a recording laid out as the reference model's.
  CalibrationSpec spec_;
  ComposedDocument base_;
  Model reference_;
  std::vector<SeriesAt> sources_;
  std::vector<Reduction> reductions_;
  std::vector<std::vector<std::int32_t>> steps_;  // per target, the window's steps
  mutable std::function<void()> poll_;
};

}  // namespace migrasim
