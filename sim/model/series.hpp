// The output series: one list, from which the enums, the count, the metadata
// written into the files and the rule for totals over time are all derived.
// Adding a series is adding its row here and counting it in a stage.
//
// A row is X(enumerator, name, kind, counting, units, long_name):
//   kind      kFlow: a sum over the step (CF cell_methods "time: sum"), totalled
//             over time by summing; kStock: a value at the end of the step
//             ("time: point"), whose total over a period is its last value
//   counting  kInAgents: counted in agents and scaled to persons by
//             persons_per_agent when recorded; kInUnits: already in its units
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace migrasim {

// clang-format off
#define MIGRASIM_SERIES(X) \
  X(kNewAspirants, new_aspirants, kFlow, kInAgents, "persons per step", \
    "persons forming an intention to migrate") \
  X(kDepartures, departures, kFlow, kInAgents, "persons per step", \
    "persons setting out from their origin") \
  X(kBorderEncounters, border_encounters, kFlow, kInAgents, "persons per step", \
    "persons detected at checkpoints on border nodes") \
  X(kApprehensions, apprehensions, kFlow, kInAgents, "persons per step", \
    "persons detected at any checkpoint") \
  X(kEvaded, evaded, kFlow, kInAgents, "persons per step", \
    "persons passing a checkpoint that watches for irregular crossers undetected") \
  X(kDeaths, deaths, kFlow, kInAgents, "persons per step", \
    "persons dying in transit") \
  X(kReturned, returned, kFlow, kInAgents, "persons per step", \
    "persons detected and returned without an asylum claim") \
  X(kAsylumClaims, asylum_claims, kFlow, kInAgents, "persons per step", \
    "persons detected who claimed asylum") \
  X(kAsylumGranted, asylum_granted, kFlow, kInAgents, "persons per step", \
    "asylum claims granted") \
  X(kRemoved, removed, kFlow, kInAgents, "persons per step", \
    "persons removed after their asylum claim was denied") \
  X(kDeniedNotRemoved, denied_not_removed, kFlow, kInAgents, "persons per step", \
    "persons denied asylum and not removed (they stay without status)") \
  X(kRemovalCostUsd, removal_cost_usd, kFlow, kInUnits, "USD per step", \
    "cost of removing denied asylum claimants") \
  X(kGaveUp, gave_up, kFlow, kInAgents, "persons per step", \
    "aspirants giving up and staying home") \
  X(kLegalPathwayEntries, legal_pathway_entries, kFlow, kInAgents, "persons per step", \
    "persons leaving through a legal pathway") \
  X(kSmuggledDepartures, smuggled_departures, kFlow, kInAgents, "persons per step", \
    "persons setting out with a smuggling network") \
  X(kCoercedArrivals, coerced_arrivals, kFlow, kInAgents, "persons per step", \
    "coerced persons reaching a destination or claiming asylum") \
  X(kFalsifiedDocsDetected, falsified_docs_detected, kFlow, kInAgents, "persons per step", \
    "travellers caught with falsified documents") \
  X(kHighRiskDetected, high_risk_detected, kFlow, kInAgents, "persons per step", \
    "high-risk individuals flagged at screening") \
  X(kHighRiskMissed, high_risk_missed, kFlow, kInAgents, "persons per step", \
    "high-risk individuals passing a checkpoint unflagged (screened or slipping past)") \
  X(kFalsePositives, false_positives, kFlow, kInAgents, "persons per step", \
    "genuine travellers wrongly flagged as high-risk") \
  X(kSmugglerRevenueUsd, smuggler_revenue_usd, kFlow, kInUnits, "USD per step", \
    "fees paid to smuggling networks") \
  X(kInterventionCostUsd, intervention_cost_usd, kFlow, kInUnits, "USD per step", \
    "cost of the interventions in force") \
  X(kSentBack, sent_back, kFlow, kInAgents, "persons per step", \
    "persons detected at a checkpoint and sent back upstream into detention") \
  X(kReattempts, reattempts, kFlow, kInAgents, "persons per step", \
    "persons released from detention setting out again") \
  X(kStranded, stranded, kFlow, kInAgents, "persons per step", \
    "persons released from detention giving up where they were held") \
  X(kAtHome, at_home, kStock, kInAgents, "persons", \
    "persons at home not intending to migrate") \
  X(kInTransit, in_transit, kStock, kInAgents, "persons", \
    "persons travelling on the route") \
  X(kWaitingForSmuggler, waiting_for_smuggler, kStock, kInAgents, "persons", \
    "persons waiting for a place with a smuggling network") \
  X(kHeldAtCheckpoints, held_at_checkpoints, kStock, kInAgents, "persons", \
    "persons waiting to be screened at checkpoints") \
  X(kAsylumBacklog, asylum_backlog, kStock, kInAgents, "persons", \
    "asylum claims awaiting a decision") \
  X(kDetained, detained, kStock, kInAgents, "persons", \
    "persons sent back from a checkpoint and held in detention") \
  X(kSmugglerCapacity, smuggler_capacity, kStock, kInUnits, "persons per day", \
    "clients smuggling networks can take on per day") \
  X(kMeanSmugglingFeeUsd, mean_smuggling_fee_usd, kStock, kInUnits, "USD", \
    "smuggling fee, mean over networks weighted by capacity") \
  X(kMeanRouteAwareness, mean_route_awareness, kStock, kInUnits, "1", \
    "share of agents who know the route") \
  X(kMeanPerceivedDanger, mean_perceived_danger, kStock, kInUnits, "1", \
    "perceived chance of dying on the way, mean over agents at home")

// Series with their own axis: X(enumerator, name, axis, kind, counting, units,
// long_name), one value per step and per node, edge, checkpoint or network.
#define MIGRASIM_AXIS_SERIES(X) \
  X(kNodeStock, node_stock, kNode, kStock, kInAgents, "persons", \
    "persons at the node or on an edge leaving it") \
  X(kNodeArrivals, node_arrivals, kNode, kFlow, kInAgents, "persons per step", \
    "persons arriving at the node") \
  X(kNodeOverstayEntries, node_overstay_entries, kNode, kFlow, kInAgents, "persons per step", \
    "persons without the visa the node requires setting out to enter it on another status") \
  X(kNodeFraudEntries, node_fraud_entries, kNode, kFlow, kInAgents, "persons per step", \
    "persons without the visa the node requires setting out to enter it on falsified documents") \
  X(kNodeAsylumGranted, node_asylum_granted, kNode, kFlow, kInAgents, "persons per step", \
    "asylum claims made at the node that were granted") \
  X(kNodeRemoved, node_removed, kNode, kFlow, kInAgents, "persons per step", \
    "persons removed after a claim made at the node was denied") \
  X(kNodeReleased, node_released, kNode, kFlow, kInAgents, "persons per step", \
    "persons released from detention at the node") \
  X(kEdgeDepartures, edge_departures, kEdge, kFlow, kInAgents, "persons per step", \
    "persons setting out on the edge") \
  X(kEdgeDeaths, edge_deaths, kEdge, kFlow, kInAgents, "persons per step", \
    "persons dying on the edge") \
  X(kCheckpointScreened, checkpoint_screened, kCheckpoint, kFlow, kInAgents, "persons per step", \
    "persons screened at the checkpoint") \
  X(kCheckpointApprehensions, checkpoint_apprehensions, kCheckpoint, kFlow, kInAgents, \
    "persons per step", "persons detected at the checkpoint") \
  X(kCheckpointReturned, checkpoint_returned, kCheckpoint, kFlow, kInAgents, "persons per step", \
    "persons detected at the checkpoint and returned without an asylum claim") \
  X(kCheckpointAsylumClaims, checkpoint_asylum_claims, kCheckpoint, kFlow, kInAgents, \
    "persons per step", "persons detected at the checkpoint who claimed asylum") \
  X(kCheckpointSentBack, checkpoint_sent_back, kCheckpoint, kFlow, kInAgents, "persons per step", \
    "persons detected at the checkpoint and sent back to its return node") \
  X(kCheckpointEvaded, checkpoint_evaded, kCheckpoint, kFlow, kInAgents, "persons per step", \
    "persons passing the checkpoint undetected where it watches for irregular crossers") \
  X(kCheckpointWaiting, checkpoint_waiting, kCheckpoint, kStock, kInAgents, "persons", \
    "persons waiting to be screened at the checkpoint") \
  X(kNetworkClients, network_clients, kNetwork, kFlow, kInAgents, "persons per step", \
    "clients the network took on") \
  X(kNetworkCapacity, network_capacity, kNetwork, kStock, kInUnits, "persons per day", \
    "clients the network can take on per day") \
  X(kNetworkFeeUsd, network_fee_usd, kNetwork, kStock, kInUnits, "USD", \
    "the network's fee") \
  X(kNetworkRevenueUsd, network_revenue_usd, kNetwork, kFlow, kInUnits, "USD per step", \
    "fees paid to the network")
// clang-format on

#define MIGRASIM_ENUMERATOR(enumerator, ...) enumerator,
#define MIGRASIM_COUNT(...) +1
enum class Series : std::uint8_t { MIGRASIM_SERIES(MIGRASIM_ENUMERATOR) };
inline constexpr std::size_t kSeriesCount = 0 MIGRASIM_SERIES(MIGRASIM_COUNT);
enum class AxisSeries : std::uint8_t { MIGRASIM_AXIS_SERIES(MIGRASIM_ENUMERATOR) };
inline constexpr std::size_t kAxisSeriesCount = 0 MIGRASIM_AXIS_SERIES(MIGRASIM_COUNT);
#undef MIGRASIM_ENUMERATOR
#undef MIGRASIM_COUNT

inline constexpr std::size_t index(Series s) { return static_cast<std::size_t>(s); }
inline constexpr std::size_t index(AxisSeries s) { return static_cast<std::size_t>(s); }

enum class SeriesKind : std::uint8_t { kFlow, kStock };
enum class Counting : std::uint8_t { kInAgents, kInUnits };
// What an axis series has one value per; named as the file's dimension.
enum class SeriesAxis : std::uint8_t { kNode, kEdge, kCheckpoint, kNetwork };
const char* to_string(SeriesAxis axis);  // "node", "edge", "checkpoint", "network"

struct SeriesInfo {
  const char* name;
  const char* long_name;
  const char* units;
  bool is_flow;
  bool counted_in_agents;  // scale by persons_per_agent

  // CF cell_methods: "time: sum" for flows, "time: point" for stocks.
  const char* cell_methods() const { return is_flow ? "time: sum" : "time: point"; }
  // The series over a whole period from its values per step: the sum of a
  // flow, the last value of a stock.
  double over_period(std::span<const double> per_step) const;
};

const SeriesInfo& series_info(std::size_t index);  // index < kSeriesCount
const SeriesInfo& axis_series_info(AxisSeries series);
SeriesAxis axis_of(AxisSeries series);
// The index of the scalar series called `name`, if there is one.
std::optional<std::size_t> find_series(std::string_view name);

}  // namespace migrasim
