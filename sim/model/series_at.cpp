#include "model/series_at.hpp"

#include <algorithm>

#include "util/errors.hpp"

namespace migrasim {
namespace {

// The corridor-wide series, or those with `axis`.
std::string known_names(std::optional<SeriesAxis> axis) {
  std::string names;
  const auto add = [&names](const char* name) {
    names += (names.empty() ? "" : ", ") + std::string(name);
  };
  if (!axis) {
    for (std::size_t k = 0; k < kSeriesCount; ++k) add(series_info(k).name);
    return names;
  }
  for (std::size_t k = 0; k < kAxisSeriesCount; ++k) {
    const auto series = static_cast<AxisSeries>(k);
    if (axis_of(series) == *axis) add(axis_series_info(series).name);
  }
  return names.empty() ? "none" : names;
}

std::optional<SeriesAxis> axis_named(std::string_view kind) {
  for (const SeriesAxis axis :
       {SeriesAxis::kNode, SeriesAxis::kEdge, SeriesAxis::kCheckpoint, SeriesAxis::kNetwork}) {
    if (kind == to_string(axis)) return axis;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::size_t> find_axis_series(std::string_view name) {
  for (std::size_t k = 0; k < kAxisSeriesCount; ++k) {
    if (axis_series_info(static_cast<AxisSeries>(k)).name == name) return k;
  }
  return std::nullopt;
}

std::vector<std::string> axis_names(const Model& m, SeriesAxis axis) {
  switch (axis) {
    case SeriesAxis::kNode:
      return m.node_name;
    case SeriesAxis::kEdge: {
      std::vector<std::string> labels;
      for (std::size_t e = 0; e < m.edge_count(); ++e) labels.push_back(edge_label(m, e));
      return labels;
    }
    case SeriesAxis::kCheckpoint:
      return m.checkpoint_name;
    case SeriesAxis::kNetwork:
      return m.network_name;
  }
  return {};
}

SeriesAt resolve_series_at(const Model& m, const std::string& series,
                           const std::string& series_location, const TargetPlace& at) {
  SeriesAt source;
  if (at.kind.empty()) {
    const auto found = find_series(series);
    if (!found) {
      const auto with_axis = find_axis_series(series);
      throw InputError(
          series_location + ": unknown series '" + series + "'" +
          (with_axis
               ? std::string(" for the whole corridor; it has a ") +
                     to_string(axis_of(static_cast<AxisSeries>(*with_axis))) + " axis: add at: {" +
                     to_string(axis_of(static_cast<AxisSeries>(*with_axis))) + ": NAME}"
               : "; the series of the whole corridor are: " + known_names(std::nullopt)));
    }
    source.series = *found;
    source.is_flow = series_info(source.series).is_flow;
    return source;
  }
  const std::optional<SeriesAxis> axis = axis_named(at.kind);
  const auto found = find_axis_series(series);
  if (!axis || !found || axis_of(static_cast<AxisSeries>(*found)) != *axis) {
    throw InputError(series_location + ": no series '" + series + "' is recorded per " + at.kind +
                     "; those that are: " + (axis ? known_names(axis) : std::string("none")));
  }
  source.axis_series = true;
  source.series = *found;
  source.is_flow = axis_series_info(static_cast<AxisSeries>(source.series)).is_flow;
  const std::vector<std::string> names = axis_names(m, *axis);
  const auto it = std::find(names.begin(), names.end(), at.name);
  if (it == names.end()) {
    std::string known;
    for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
    throw InputError(at.location + ": the scenario has no " + at.kind + " '" + at.name + "' (its " +
                     at.kind + "s: " + (known.empty() ? "none" : known) + ")");
  }
  source.entity = static_cast<std::size_t>(it - names.begin());
  source.axis_length = names.size();
  return source;
}

}  // namespace migrasim
