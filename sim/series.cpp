#include "series.hpp"

namespace migrasim {
namespace {

constexpr const char* kPersonsPerStep = "persons per step";
constexpr const char* kPersons = "persons";

// In Series order.
constexpr SeriesInfo kSeries[kSeriesCount] = {
    {"new_aspirants", "persons forming an intention to migrate", kPersonsPerStep, true, true},
    {"departures", "persons setting out from their origin", kPersonsPerStep, true, true},
    {"border_encounters", "persons detected at checkpoints on border nodes", kPersonsPerStep, true, true},
    {"apprehensions", "persons detected at any checkpoint", kPersonsPerStep, true, true},
    {"evaded", "persons passing a checkpoint that watches for irregular crossers undetected", kPersonsPerStep,
     true, true},
    {"deaths", "persons dying in transit", kPersonsPerStep, true, true},
    {"returned", "persons detected and returned without an asylum claim", kPersonsPerStep, true, true},
    {"asylum_claims", "persons detected who claimed asylum", kPersonsPerStep, true, true},
    {"asylum_granted", "asylum claims granted", kPersonsPerStep, true, true},
    {"removed", "persons removed after their asylum claim was denied", kPersonsPerStep, true, true},
    {"gave_up", "aspirants giving up and staying home", kPersonsPerStep, true, true},
    {"legal_pathway_entries", "persons leaving through a legal pathway", kPersonsPerStep, true, true},
    {"smuggled_departures", "persons setting out with a smuggling network", kPersonsPerStep, true, true},
    {"coerced_arrivals", "coerced persons reaching a destination or claiming asylum", kPersonsPerStep,
     true, true},
    {"falsified_docs_detected", "travellers caught with falsified documents", kPersonsPerStep, true, true},
    {"high_risk_detected", "high-risk individuals flagged at screening", kPersonsPerStep, true, true},
    {"high_risk_missed", "high-risk individuals passing a checkpoint unflagged (screened or slipping past)",
     kPersonsPerStep, true, true},
    {"false_positives", "genuine travellers wrongly flagged as high-risk", kPersonsPerStep, true, true},
    {"smuggler_revenue_usd", "fees paid to smuggling networks", "USD per step", true, false},
    {"intervention_cost_usd", "cost of the interventions in force", "USD per step", true, false},
    {"at_home", "persons at home not intending to migrate", kPersons, false, true},
    {"in_transit", "persons travelling on the route", kPersons, false, true},
    {"waiting_for_smuggler", "persons waiting for a place with a smuggling network", kPersons, false, true},
    {"held_at_checkpoints", "persons waiting to be screened at checkpoints", kPersons, false, true},
    {"asylum_backlog", "asylum claims awaiting a decision", kPersons, false, true},
    {"smuggler_capacity", "clients smuggling networks can take on per day", "persons per day", false, false},
    {"mean_smuggling_fee_usd", "smuggling fee, mean over networks weighted by capacity", "USD", false,
     false},
    {"mean_route_awareness", "share of agents who know the route", "1", false, false},
    {"mean_perceived_danger", "perceived chance of dying on the way, mean over agents at home", "1", false,
     false},
};

constexpr SeriesInfo kNode[kNodeSeriesCount] = {
    {"node_stock", "persons at the node or on an edge leaving it", kPersons, false, true},
    {"node_arrivals", "persons arriving at the node", kPersonsPerStep, true, true},
};

}  // namespace

const SeriesInfo& series_info(std::size_t index) { return kSeries[index]; }
const SeriesInfo& node_series_info(NodeSeries series) { return kNode[static_cast<std::size_t>(series)]; }

std::optional<std::size_t> find_series(std::string_view name) {
  for (std::size_t k = 0; k < kSeriesCount; ++k) {
    if (name == kSeries[k].name) return k;
  }
  return std::nullopt;
}

}  // namespace migrasim
