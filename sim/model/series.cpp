#include "model/series.hpp"

#include <numeric>

namespace migrasim {
namespace {

#define MIGRASIM_INFO(enumerator, name, kind, counting, units, long_name) \
  {#name, long_name, units, SeriesKind::kind == SeriesKind::kFlow,        \
   Counting::counting == Counting::kInAgents},
constexpr SeriesInfo kSeries[] = {MIGRASIM_SERIES(MIGRASIM_INFO)};
#undef MIGRASIM_INFO
#define MIGRASIM_AXIS_INFO(enumerator, name, axis, kind, counting, units, long_name) \
  {#name, long_name, units, SeriesKind::kind == SeriesKind::kFlow,                   \
   Counting::counting == Counting::kInAgents},
constexpr SeriesInfo kAxisSeries[] = {MIGRASIM_AXIS_SERIES(MIGRASIM_AXIS_INFO)};
#undef MIGRASIM_AXIS_INFO
#define MIGRASIM_AXIS(enumerator, name, axis, ...) SeriesAxis::axis,
constexpr SeriesAxis kAxisOf[] = {MIGRASIM_AXIS_SERIES(MIGRASIM_AXIS)};
#undef MIGRASIM_AXIS

}  // namespace

double SeriesInfo::over_period(std::span<const double> per_step) const {
  if (per_step.empty()) return 0.0;
  return is_flow ? std::accumulate(per_step.begin(), per_step.end(), 0.0) : per_step.back();
}

const SeriesInfo& series_info(std::size_t index) { return kSeries[index]; }
const SeriesInfo& axis_series_info(AxisSeries series) { return kAxisSeries[index(series)]; }
SeriesAxis axis_of(AxisSeries series) { return kAxisOf[index(series)]; }

const char* to_string(SeriesAxis axis) {
  switch (axis) {
    case SeriesAxis::kNode:
      return "node";
    case SeriesAxis::kEdge:
      return "edge";
    case SeriesAxis::kCheckpoint:
      return "checkpoint";
    case SeriesAxis::kNetwork:
      return "network";
  }
  return "?";
}

std::optional<std::size_t> find_series(std::string_view name) {
  for (std::size_t k = 0; k < kSeriesCount; ++k) {
    if (name == kSeries[k].name) return k;
  }
  return std::nullopt;
}

}  // namespace migrasim
