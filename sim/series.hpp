// The output series with no node axis: one enum entry each, with the metadata
// written into the file. Adding a series is adding an enum entry and its row in
// series.cpp; the writer and the summary pick it up from there.
//
// Flows are sums over a step (CF cell_methods "time: sum"); stocks and levels
// are values at the end of the step ("time: point"). Series counted in agents
// are scaled to persons by persons_per_agent when recorded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace migrasim {

enum class Series : std::uint8_t {
  // Flows
  kNewAspirants,
  kDepartures,
  kBorderEncounters,
  kApprehensions,
  kEvaded,
  kDeaths,
  kReturned,
  kAsylumClaims,
  kAsylumGranted,
  kRemoved,
  kGaveUp,
  kLegalPathwayEntries,
  kSmuggledDepartures,
  kCoercedArrivals,
  kFalsifiedDocsDetected,
  kHighRiskDetected,
  kHighRiskMissed,
  kFalsePositives,
  kSmugglerRevenueUsd,
  kInterventionCostUsd,
  // Stocks
  kAtHome,
  kInTransit,
  kWaitingForSmuggler,
  kHeldAtCheckpoints,
  kAsylumBacklog,
  kSmugglerCapacity,
  // Levels
  kMeanSmugglingFeeUsd,
  kMeanRouteAwareness,
  kMeanPerceivedDanger,
};
inline constexpr std::size_t kSeriesCount = 29;

inline constexpr std::size_t index(Series s) { return static_cast<std::size_t>(s); }


// Series with a node axis.
enum class NodeSeries : std::uint8_t { kNodeStock, kNodeArrivals };
inline constexpr std::size_t kNodeSeriesCount = 2;
inline constexpr std::size_t index(NodeSeries s) { return static_cast<std::size_t>(s); }

struct SeriesInfo {
  const char* name;
  const char* long_name;
  const char* units;
  bool is_flow;
  bool counted_in_agents;  // scale by persons_per_agent
};

const SeriesInfo& series_info(std::size_t index);  // index < kSeriesCount
const SeriesInfo& node_series_info(NodeSeries series);
// The index of the scalar series called `name`, if there is one.
std::optional<std::size_t> find_series(std::string_view name);

}  // namespace migrasim
