// An output series at a place, as calibration targets and sweep outputs name
// it: a series of the whole corridor, or one entity (node, edge, checkpoint,
// network) of a series with that axis. Resolved once against the model; the
// value of step t is then values[t * stride] from `first_value`.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "input/place.hpp"
#include "model/model.hpp"
#include "model/series.hpp"

namespace migrasim {

struct SeriesAt {
  bool axis_series = false;     // a series with its own axis (AxisSeries), else a Series
  std::size_t series = 0;       // index in MIGRASIM_SERIES or MIGRASIM_AXIS_SERIES
  std::size_t entity = 0;       // index along the axis (node, edge, checkpoint, network)
  std::size_t axis_length = 1;  // values per step of an axis series
  bool is_flow = true;

  // Where step 0's value is in a recording, and the distance between steps.
  template <class Recording>
  const double* first_value(const Recording& r, std::size_t steps) const {
    return axis_series ? r.axis[series].data() + entity : r.scalar.data() + series * steps;
  }
  std::size_t stride() const { return axis_series ? axis_length : 1; }
};

// Resolves `series` at `at` in `m`. Throws InputError naming
// `series_location` for an unknown series, a series with an axis and no place
// (or a place and no such axis), and at.location for an unknown name.
SeriesAt resolve_series_at(const Model& m, const std::string& series,
                           const std::string& series_location, const TargetPlace& at);

// The names along an axis, as the output file labels them.
std::vector<std::string> axis_names(const Model& m, SeriesAxis axis);

std::optional<std::size_t> find_axis_series(std::string_view name);

}  // namespace migrasim
