#include "series.hpp"

namespace migrasim {
namespace {

constexpr SeriesInfo kScalar[kScalarSeriesCount] = {
    // Flows, in Flow order
    {"new_aspirants", "persons forming an intention to migrate", true},
    {"departures", "persons setting out from their origin", true},
    {"border_encounters", "persons detected at checkpoints on border nodes", true},
    {"apprehensions", "persons detected at any checkpoint", true},
    {"evaded", "persons passing a checkpoint undetected", true},
    {"deaths", "persons dying in transit", true},
    {"returned", "persons detected and returned without an asylum claim", true},
    {"asylum_claims", "persons detected who claimed asylum", true},
    {"asylum_granted", "asylum claims granted", true},
    {"removed", "persons removed after their asylum claim was denied", true},
    // Stocks, in Stock order
    {"at_home", "persons at home not intending to migrate", false},
    {"in_transit", "persons travelling on the route", false},
    {"held_at_checkpoints", "persons waiting to be screened at checkpoints", false},
    {"asylum_backlog", "asylum claims awaiting a decision", false},
};

constexpr SeriesInfo kNode[kNodeSeriesCount] = {
    {"node_stock", "persons at the node or on an edge leaving it", false},
    {"node_arrivals", "persons arriving at the node", true},
};

}  // namespace

const SeriesInfo& scalar_series_info(std::size_t index) { return kScalar[index]; }
const SeriesInfo& node_series_info(NodeSeries series) { return kNode[static_cast<std::size_t>(series)]; }

}  // namespace migrasim
