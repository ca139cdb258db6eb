// The output series: one enum entry each, with the metadata written into the
// file. Flows are persons per step (CF cell_methods "time: sum"); stocks are
// persons at the end of the step ("time: point"). Adding a series is adding an
// enum entry and its row in series.cpp; the writer picks it up from there.
#pragma once

#include <cstddef>
#include <cstdint>

namespace migrasim {

// Events counted by the stages during a step.
enum class Flow : std::uint8_t {
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
};
inline constexpr std::size_t kFlowCount = 11;

// Head counts at the end of a step.
enum class Stock : std::uint8_t { kAtHome, kInTransit, kHeldAtCheckpoints, kAsylumBacklog };
inline constexpr std::size_t kStockCount = 4;

// Shares of all agents at the end of a step, in [0, 1].
enum class Share : std::uint8_t { kRouteAwareness };
inline constexpr std::size_t kShareCount = 1;

// Scalar series are the flows, then the stocks, then the shares.
inline constexpr std::size_t kScalarSeriesCount = kFlowCount + kStockCount + kShareCount;
inline constexpr std::size_t scalar_index(Flow f) { return static_cast<std::size_t>(f); }
inline constexpr std::size_t scalar_index(Stock s) { return kFlowCount + static_cast<std::size_t>(s); }
inline constexpr std::size_t scalar_index(Share s) {
  return kFlowCount + kStockCount + static_cast<std::size_t>(s);
}

// Series with a node axis.
enum class NodeSeries : std::uint8_t { kNodeStock, kNodeArrivals };
inline constexpr std::size_t kNodeSeriesCount = 2;

enum class SeriesKind : std::uint8_t {
  kFlow,   // persons per step, summed over the step
  kStock,  // persons at the end of the step
  kShare,  // dimensionless share at the end of the step
};

struct SeriesInfo {
  const char* name;
  const char* long_name;
  SeriesKind kind;
  bool is_flow() const { return kind == SeriesKind::kFlow; }
  bool in_persons() const { return kind != SeriesKind::kShare; }
  const char* units() const {
    return kind == SeriesKind::kFlow ? "persons per step" : kind == SeriesKind::kStock ? "persons" : "1";
  }
};

const SeriesInfo& scalar_series_info(std::size_t index);  // index < kScalarSeriesCount
const SeriesInfo& node_series_info(NodeSeries series);

}  // namespace migrasim
