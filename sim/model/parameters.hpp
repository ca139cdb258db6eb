// Parameters that may change from step to step, one list: every numeric
// parameter of edges, checkpoints, smuggling networks, asylum and legal
// pathways that a scenario may write as a dated series or with a season
// (input/varying.hpp). The Model holds each as one StepTable per entity,
// compiled once; the engine's PolicyState holds the value in force during the
// current step (the table's value, then policies on top), and stages read only
// that. A constant parameter costs one copy per entity per step, nothing in the
// agent loops.
#pragma once

#include <cstdint>
#include <vector>

namespace migrasim {

// A parameter's value at every step, in model units (per step, in agents).
template <class T>
struct StepTable {
  T constant{};
  std::vector<T> per_step;  // (steps) when the value changes; empty when constant

  T at(std::int32_t step) const {
    return per_step.empty() ? constant : per_step[static_cast<std::size_t>(step)];
  }
  bool varies() const { return !per_step.empty(); }
};

// X(type, name, meaning), name = <entity>_<attribute> as in Model.
// clang-format off
#define MIGRASIM_SCHEDULED_PARAMETERS(X) \
  X(std::uint16_t, edge_travel_steps, "steps to traverse, for those setting out (at least 1)") \
  X(double, edge_cost_usd, "paid on setting out without a smuggler") \
  X(double, edge_death_probability, "per step on the edge, travelling alone") \
  X(double, edge_death_hazard, "mortality_per_day * step_days") \
  X(double, edge_choice_weight, "relative preference among a node's outgoing edges") \
  X(double, checkpoint_detection_probability, "chance a screened traveller is apprehended") \
  X(double, checkpoint_capacity_agents, "agents screened per step (inf = unlimited)") \
  X(double, checkpoint_asylum_claim_probability, "chance an apprehended traveller claims asylum") \
  X(double, checkpoint_document_sensitivity, "chance falsified documents are caught") \
  X(double, checkpoint_high_risk_sensitivity, "chance a high-risk individual is flagged") \
  X(double, checkpoint_false_positive_rate, "chance a genuine traveller is flagged") \
  X(double, checkpoint_evasion_hazard, "per step, per unit of excess demand") \
  X(double, checkpoint_shared_match_rate, "chance a partner's record matches the traveller") \
  X(double, checkpoint_return_probability, "share of those apprehended sent back upstream") \
  X(std::uint16_t, checkpoint_detention_steps, "steps those sent back are held before deciding") \
  X(double, checkpoint_return_cost_usd, "charged to each traveller sent back") \
  X(double, network_min_fee_usd, "lowest fee") \
  X(double, network_max_fee_usd, "highest fee") \
  X(double, network_price_response, "per step") \
  X(double, network_cost_per_client_usd, "the network's own cost per client") \
  X(double, network_recruitment, "capacity growth per step at full use and full margin") \
  X(double, network_max_capacity, "clients per step") \
  X(double, network_loss_probability, "share of capacity lost to enforcement per step") \
  X(double, network_coercion_probability, "clients who paid in full who end up coerced") \
  X(double, network_coercion_probability_in_debt, "clients who could not pay in full, likewise") \
  X(double, network_mortality_multiplier, "on the covered edges' death hazard") \
  X(double, network_advertising_hazard, "per step, times reputation") \
  X(double, network_falsified_documents_probability, "clients given falsified documents") \
  X(double, asylum_capacity_agents, "claims decided per step (inf = unlimited)") \
  X(std::int32_t, asylum_min_processing_steps, "no decision before this wait") \
  X(double, asylum_claim_multiplier, "on checkpoints' claim probability for claims heard here") \
  X(double, asylum_grant_multiplier, "a claim is granted with min(1, strength x this)") \
  X(double, asylum_min_claim_strength, "weaker claims are denied") \
  X(double, asylum_removal_probability, "share of denied claimants removed") \
  X(double, asylum_removal_cost_usd, "per person removed") \
  X(double, pathway_capacity_agents, "admitted per step") \
  X(double, pathway_min_claim_strength, "lowest claim strength admitted") \
  X(std::int32_t, pathway_wait_steps, "steps an eligible aspirant waits for a place")
// clang-format on

}  // namespace migrasim
