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
#include "model/time_step.hpp"
#include "util/dates.hpp"

namespace migrasim {

// Value of a dated series on `date`: linear between points, flat outside.
double interpolate(const TimeSeriesSpec& series, double days_since_epoch);

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
  std::vector<CheckpointId> node_checkpoint;     // checkpoint at this node or kNone
  std::vector<EdgeId> node_first_edge;           // outgoing edges [first[n], first[n+1]) (nnodes+1)
  std::vector<double> node_choice_total;         // sum of outgoing choice weights
  std::vector<double> node_cost_to_destination;  // cheapest remaining cost from the node, USD
                                                 // (starting fees where a smuggler is required)

  // Edges, sorted by origin node                                 (nedges)
  std::vector<NodeId> edge_from;
  std::vector<NodeId> edge_to;
  std::vector<std::uint16_t> edge_travel_steps;  // steps to traverse, at least 1
  std::vector<double> edge_cost_usd;             // paid on setting out
  std::vector<double> edge_death_probability;    // per step on the edge, travelling alone
  std::vector<double> edge_death_hazard;         // mortality_per_day * step_days
  std::vector<double> edge_choice_weight;
  std::vector<SmugglerRule> edge_smuggler_rule;
  std::vector<std::uint32_t> edge_first_network;  // networks covering the edge: (nedges+1)
  std::vector<NetworkId> edge_networks;           //   edge_networks[first[e] .. first[e+1])

  // Smuggling networks                                          (nnetworks)
  std::vector<std::string> network_name;
  std::vector<double> network_initial_capacity;  // clients per step
  std::vector<double> network_initial_fee_usd;
  std::vector<double> network_min_fee_usd;
  std::vector<double> network_max_fee_usd;
  std::vector<double> network_price_response;  // per step
  std::vector<double> network_cost_per_client_usd;
  std::vector<double> network_recruitment;       // per step
  std::vector<double> network_max_capacity;      // clients per step
  std::vector<double> network_loss_probability;  // share of capacity lost per step
  std::vector<double> network_coercion_probability;
  std::vector<double> network_coercion_probability_in_debt;
  std::vector<double> network_mortality_multiplier;
  std::vector<double> network_advertising_hazard;  // per step, times reputation
  std::vector<double> network_initial_reputation;
  std::vector<double> network_falsified_documents_probability;

  // Checkpoints                                                  (ncheckpoints)
  std::vector<std::string> checkpoint_name;
  std::vector<NodeId> checkpoint_node;
  std::vector<double> checkpoint_detection_probability;
  std::vector<double> checkpoint_capacity_agents;  // agents screened per step (inf = unlimited)
  std::vector<double> checkpoint_asylum_claim_probability;
  std::vector<double> checkpoint_document_sensitivity;
  std::vector<double> checkpoint_high_risk_sensitivity;
  std::vector<double> checkpoint_false_positive_rate;
  std::vector<double> checkpoint_evasion_hazard;  // per step, per unit of excess demand
  // bit p: records of checkpoint p are shared here
  std::vector<std::uint32_t> checkpoint_partner_mask;
  std::vector<double> checkpoint_shared_match_rate;

  // Legal pathways                                              (npathways)
  std::vector<std::string> pathway_name;
  std::vector<double> pathway_capacity_agents;  // per step
  std::vector<double> pathway_min_claim_strength;
  std::vector<std::uint8_t> pathway_region_allowed;  // (npathways x nregions)
  // (open while their record in standing_rules or interventions is active)
  std::vector<std::int32_t> pathway_wait_steps;
  double info_initial_legal_awareness = 0.0;
  double info_legal_awareness_probability = 0.0;  // per step

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

  // Asylum processing
  double asylum_capacity_agents = std::numeric_limits<double>::infinity();  // decisions per step
  std::int32_t asylum_min_processing_steps = 0;

  std::size_t region_count() const { return region_name.size(); }
  std::size_t community_count() const { return community_region.size(); }
  std::size_t node_count() const { return node_name.size(); }
  std::size_t edge_count() const { return edge_from.size(); }
  std::size_t checkpoint_count() const { return checkpoint_name.size(); }
  std::size_t network_count() const { return network_name.size(); }
  std::size_t pathway_count() const { return pathway_name.size(); }
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

// Validates cross-references and builds the Model. Throws InputError naming
// the file, line, column and key of the first problem.
Model compile(const Scenario& scenario);

}  // namespace migrasim
