// Values that change over time, as written: dated series (push factors, exit
// restrictions) and parameters that may follow a series and a season (every
// numeric parameter of edges, checkpoints, smuggling networks, asylum and legal
// pathways). model/step_table.hpp compiles them into one value per step.
#pragma once

#include <vector>

#include "util/dates.hpp"

namespace migrasim {

class YamlField;

// A dated series, linearly interpolated between points and held constant
// before the first and after the last.
struct TimeSeriesSpec {
  std::vector<Date> dates;
  std::vector<double> values;
};

// A parameter that may change over time: a constant, or a dated series,
// optionally times a seasonal profile of twelve monthly multipliers (January
// first) that repeats every year. Written as a number, or as a map of
// 'YYYY-MM-DD: value' entries with an optional 'seasonal: [12 numbers]'.
struct VaryingSpec {
  TimeSeriesSpec series;
  std::vector<double> monthly;  // 12 multipliers, or empty for none

  // A number written where a VaryingSpec is expected is a constant.
  VaryingSpec(double constant = 0.0) : series{{Date{0}}, {constant}} {}  // NOLINT(runtime/explicit)

  bool is_constant() const { return series.values.size() == 1 && monthly.empty(); }
  // The value before any date and outside any season (the first point).
  double initial() const { return series.values.front(); }
  // The largest value it takes, season included.
  double highest() const;
  double lowest() const;
};

// A number in [low, high], or a map of 'YYYY-MM-DD: value' entries in
// increasing date order, each in [low, high].
TimeSeriesSpec read_series(const YamlField& field, double low, double high);

// As read_series, plus an optional `seasonal` list of 12 non-negative monthly
// multipliers; every value times every multiplier must stay in [low, high].
VaryingSpec read_varying(const YamlField& field, double low, double high);

// Value of a dated series on a day: linear between points, flat outside.
double interpolate(const TimeSeriesSpec& series, double days_since_epoch);

// Value of a varying parameter on a day (the season by the day's month).
double value_on(const VaryingSpec& varying, double days_since_epoch);

}  // namespace migrasim
