// The compiled, immutable model: everything a step reads and nothing it writes.
//
// compile() checks the cross-references a YAML schema cannot (node names, the
// shape of the route graph), resolves names to dense ids, and converts every
// rate per day into a probability per step here and only here. Arrays are named
// <entity>_<attribute>, each with its meaning and shape.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "input/scenario.hpp"
#include "model/ids.hpp"
#include "model/interventions.hpp"
#include "model/parameters.hpp"
#include "model/series.hpp"
#include "model/time_step.hpp"
#include "util/dates.hpp"

namespace migrasim {

struct Model {
  // Provenance, written into every output file.
  std::string scenario_name;
  std::string scenario_file;
  std::string scenario_text;
  std::string scenario_sources;  // every file of a scenario built on others, base first
  std::vector<std::string> overrides;

  // Time
  Date start_date;
  double step_days = 1.0;
  std::int32_t steps = 0;  // number of steps from start to end inclusive

  // Run
  std::uint64_t seed = 1;
  std::uint32_t replicates = 1;

  // Population
  std::uint32_t agents = 0;
  double persons_per_agent = 1.0;
  LognormalSpec savings_usd;
  BetaSpec risk_tolerance;
  BetaSpec asylum_claim_strength;
  double falsified_documents_share = 0.0;
  double high_risk_share = 0.0;

  // Regions                                                      (nregions)
  std::vector<std::string> region_name;
  // agents [first[r], first[r+1]) live in r (nregions+1)
  std::vector<std::uint32_t> region_first_agent;
  std::vector<NodeId> region_origin;                    // node where the region's migrants set out
  std::vector<TimeSeriesSpec> region_hardship;          // economic hardship index in [0, 1]
  std::vector<TimeSeriesSpec> region_repression;        // repression index in [0, 1]
  std::vector<TimeSeriesSpec> region_exit_restriction;  // share kept from leaving per day
  std::vector<double> region_route_cost_usd;            // cheapest origin-to-destination cost

  // Communities: contiguous blocks of agents within a region     (ncommunities)
  // members [first[c], first[c+1]) (ncommunities+1)
  std::vector<std::uint32_t> community_first_agent;
  std::vector<RegionId> community_region;

  // Initial stocks: people already on the way at the start. Agents [0,
  // home_agents) start at home, in the region and community blocks above;
  // stock k's agents are [stock_first_agent[k], stock_first_agent[k+1]), after
  // them. Keeping them apart leaves every agent at home with the same index,
  // and so the same draws, whatever stocks a scenario adds.   (nstocks)
  std::uint32_t home_agents = 0;
  std::vector<std::uint32_t> stock_first_agent;  // (nstocks+1)
  std::vector<NodeId> stock_node;                // where they stand
  std::vector<RegionId> stock_region;            // their home region
  std::vector<StockStatus> stock_status;
  // the community of each agent of a stock, (agents - home_agents): members of
  // their region's groups in proportion to the groups' sizes
  std::vector<CommunityId> stock_agent_community;
  // (ncommunities) members who start on the way; a group's size is its block
  // plus these
  std::vector<std::uint32_t> community_stock_members;

  // Information, as hazards per step (rates per day * step_days)
  double info_initial_awareness = 1.0;
  double info_discovery_hazard = 0.0;
  double info_contagion_hazard = 0.0;
  double info_global_mixing = 0.0;
  double info_guide_hazard = 0.0;
  double info_memory_decay =
      0.0;  // remembered outcomes kept per step: exp(-step_days / memory_days)
  double info_learning_weight = 0.0;  // share of the gap to the group's record closed per step
  double info_prior_success = 0.6;
  double info_prior_danger = 0.05;
  double info_prior_weight = 20.0;
  double info_death_salience = 10.0;

  // Nodes                                                        (nnodes)
  std::vector<std::string> node_name;
  std::vector<NodeKind> node_kind;
  std::vector<CheckpointId> node_checkpoint;  // checkpoint at this node or kNone
  std::vector<EdgeId> node_first_edge;        // outgoing edges [first[n], first[n+1]) (nnodes+1)
  // cheapest remaining cost from the node at the start, USD (see route_costs)
  std::vector<double> node_cost_to_destination;

  // Edges, sorted by origin node                                 (nedges)
  std::vector<NodeId> edge_from;
  std::vector<NodeId> edge_to;
  std::vector<SmugglerRule> edge_smuggler_rule;
  std::vector<std::uint16_t> edge_longest_travel_steps;  // over the run (travel times may vary)
  std::vector<double> edge_required_fee_usd;  // lowest starting fee where a smuggler is required
  bool route_costs_vary = false;              // some edge's cost changes over time
  std::vector<std::uint32_t> edge_first_network;  // networks covering the edge: (nedges+1)
  std::vector<NetworkId> edge_networks;           //   edge_networks[first[e] .. first[e+1])

  // Smuggling networks                                          (nnetworks)
  std::vector<std::string> network_name;
  std::vector<double> network_initial_capacity;  // clients per step
  std::vector<double> network_initial_fee_usd;
  std::vector<double> network_initial_reputation;

  // Checkpoints                                                  (ncheckpoints)
  std::vector<std::string> checkpoint_name;
  std::vector<NodeId> checkpoint_node;
  // bit p: records of checkpoint p are shared here
  std::vector<std::uint32_t> checkpoint_partner_mask;
  // node upstream those apprehended may be sent back to; kNone: nobody is
  std::vector<NodeId> checkpoint_return_node;
  bool any_returns = false;  // some checkpoint sends travellers back

  // Legal pathways                                              (npathways)
  std::vector<std::string> pathway_name;
  std::vector<std::uint8_t> pathway_region_allowed;  // (npathways x nregions)
  // (open while their record in standing_rules or interventions is active)
  double info_initial_legal_awareness = 0.0;
  double info_legal_awareness_probability = 0.0;  // per step

  // Parameters that may change from step to step (model/parameters.hpp), one
  // table per entity: edges, checkpoints, networks, asylum systems, pathways.
  // Their values in force are PolicyState's.
#define MIGRASIM_MODEL_TABLE(type, name, meaning) std::vector<StepTable<type>> name;
  MIGRASIM_SCHEDULED_PARAMETERS(MIGRASIM_MODEL_TABLE)
#undef MIGRASIM_MODEL_TABLE

  // Policies, interpreted by engine/policy.cpp: the scenario's standing rules
  // (visa rules of nodes, then the legal_pathways section), then its
  // interventions in file order (only these are reported in the output).
  std::vector<Intervention> standing_rules;
  std::vector<Intervention> interventions;

  // Decisions: hazard per step, see DecisionSpec
  double decision_base_hazard = 0.0;  // base_rate_per_day * step_days
  double decision_hardship_weight = 0.0;
  double decision_repression_weight = 0.0;
  double decision_success_weight = 0.0;
  double decision_danger_weight = 0.0;
  double decision_cost_elasticity = 0.0;
  std::int32_t give_up_after_steps = std::numeric_limits<std::int32_t>::max();
  double route_cost_sensitivity = 0.0;
  double smuggler_preference = 1.0;
  std::int32_t smuggler_wait_steps = std::numeric_limits<std::int32_t>::max();
  // After detention (see DecisionSpec): try again, else go home, else stranded.
  double reattempt_probability = 0.5;
  double reattempt_factor_per_return = 1.0;
  double reattempt_savings_usd = 0.0;  // 0: savings do not matter
  double go_home_probability = 0.5;

  // Asylum systems                                               (nsystems)
  std::vector<std::string> asylum_system_name;
  // (nnodes) the system hearing claims made at the node's checkpoint; kNone
  // where no system does (no claim can be made there)
  std::vector<std::uint16_t> node_asylum_system;

  std::size_t region_count() const { return region_name.size(); }
  std::size_t community_count() const { return community_region.size(); }
  std::size_t node_count() const { return node_name.size(); }
  std::size_t edge_count() const { return edge_from.size(); }
  std::size_t checkpoint_count() const { return checkpoint_name.size(); }
  std::size_t network_count() const { return network_name.size(); }
  std::size_t pathway_count() const { return pathway_name.size(); }
  std::size_t asylum_system_count() const { return asylum_system_name.size(); }
  std::size_t stock_count() const { return stock_node.size(); }
  // Members of community k, at home or on the way from the start.
  double community_members(std::size_t k) const {
    return static_cast<double>(community_first_agent[k + 1] - community_first_agent[k]) +
           community_stock_members[k];
  }
  // First step that starts on or after `date`.
  std::int32_t first_step_from(Date date) const {
    const double days = days_between(start_date, date);
    return days <= 0 ? 0 : steps_covering(days, step_days);
  }
  bool network_covers(NetworkId network, EdgeId edge) const {
    for (std::uint32_t k = edge_first_network[edge]; k < edge_first_network[edge + 1]; ++k) {
      if (edge_networks[k] == network) return true;
    }
    return false;
  }
  // Day number (since 1970-01-01) at the start of `step`.
  double day_of_step(std::int32_t step) const {
    return start_date.days_since_epoch + step * step_days;
  }
};

// How many values an axis series has per step.
inline std::size_t axis_length(const Model& m, SeriesAxis axis) {
  switch (axis) {
    case SeriesAxis::kNode:
      return m.node_count();
    case SeriesAxis::kEdge:
      return m.edge_count();
    case SeriesAxis::kCheckpoint:
      return m.checkpoint_count();
    case SeriesAxis::kNetwork:
      return m.network_count();
  }
  return 0;
}

// An edge's label in outputs: "from->to".
inline std::string edge_label(const Model& m, std::size_t edge) {
  return m.node_name[m.edge_from[edge]] + "->" + m.node_name[m.edge_to[edge]];
}

// The table of a parameter as written, one value per step of `m` (whose steps
// and start are set), in model units by `convert`. A value that never changes
// is stored once, so a constant parameter is exactly convert(value).
template <class T = double, class Convert>
StepTable<T> tabulate(const Model& m, const VaryingSpec& v, Convert convert) {
  StepTable<T> table{static_cast<T>(convert(v.initial())), {}};
  if (v.is_constant()) return table;
  table.per_step.resize(static_cast<std::size_t>(m.steps));
  bool changes = false;
  for (std::int32_t step = 0; step < m.steps; ++step) {
    const T value = static_cast<T>(convert(value_on(v, m.day_of_step(step))));
    table.per_step[static_cast<std::size_t>(step)] = value;
    changes = changes || value != table.per_step.front();
  }
  table.constant = table.per_step.front();
  if (!changes) table.per_step.clear();
  return table;
}

// A constant table.
template <class T>
StepTable<T> constant_table(T value) {
  return StepTable<T>{value, {}};
}

// Cheapest cost to a destination from every node (nnodes) and from every
// region's origin (nregions) when setting out alone on an edge costs
// edge_cost_usd (nedges); an edge that requires a smuggler costs the lowest
// starting fee among the networks covering it. Allocates nothing.
void route_costs(const Model& m, const double* edge_cost_usd, double* node_cost,
                 double* region_cost);

// Validates cross-references and builds the Model. Throws InputError naming
// the file, line, column and key of the first problem.
Model compile(const Scenario& scenario);

}  // namespace migrasim
