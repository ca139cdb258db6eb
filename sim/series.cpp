#include "series.hpp"

namespace migrasim {
namespace {

constexpr SeriesInfo kScalar[kScalarSeriesCount] = {
    // Flows, in Flow order
    {"new_aspirants", "persons forming an intention to migrate", SeriesKind::kFlow},
    {"departures", "persons setting out from their origin", SeriesKind::kFlow},
    {"border_encounters", "persons detected at checkpoints on border nodes", SeriesKind::kFlow},
    {"apprehensions", "persons detected at any checkpoint", SeriesKind::kFlow},
    {"evaded", "persons passing a checkpoint undetected", SeriesKind::kFlow},
    {"deaths", "persons dying in transit", SeriesKind::kFlow},
    {"returned", "persons detected and returned without an asylum claim", SeriesKind::kFlow},
    {"asylum_claims", "persons detected who claimed asylum", SeriesKind::kFlow},
    {"asylum_granted", "asylum claims granted", SeriesKind::kFlow},
    {"removed", "persons removed after their asylum claim was denied", SeriesKind::kFlow},
    {"gave_up", "aspirants giving up and staying home", SeriesKind::kFlow},
    // Stocks, in Stock order
    {"at_home", "persons at home not intending to migrate", SeriesKind::kStock},
    {"in_transit", "persons travelling on the route", SeriesKind::kStock},
    {"held_at_checkpoints", "persons waiting to be screened at checkpoints", SeriesKind::kStock},
    {"asylum_backlog", "asylum claims awaiting a decision", SeriesKind::kStock},
    // Shares, in Share order
    {"mean_route_awareness", "share of agents who know the route", SeriesKind::kShare},
};

constexpr SeriesInfo kNode[kNodeSeriesCount] = {
    {"node_stock", "persons at the node or on an edge leaving it", SeriesKind::kStock},
    {"node_arrivals", "persons arriving at the node", SeriesKind::kFlow},
};

}  // namespace

const SeriesInfo& scalar_series_info(std::size_t index) { return kScalar[index]; }
const SeriesInfo& node_series_info(NodeSeries series) { return kNode[static_cast<std::size_t>(series)]; }

}  // namespace migrasim
