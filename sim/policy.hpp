// Policy: the one place where interventions are interpreted.
//
// compile_interventions() (called by compile()) resolves each intervention's
// targets to ids; apply_policy_schedule() (called by the environment stage at
// the start of every step) writes PolicyState, the policy in force during the
// step, from the scenario's standing rules and the interventions active then.
// Stages read policy-dependent parameters from PolicyState only, so an
// intervention never touches the Model and a scenario without interventions
// runs exactly as before.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "scenario.hpp"

namespace migrasim {

struct Model;
struct State;

// One intervention with its targets resolved (see InterventionSpec for units).
struct Intervention {
  InterventionType type = InterventionType::kSmugglingTaskForce;
  std::string name;
  std::int32_t start_step = 0;
  std::int32_t end_step = std::numeric_limits<std::int32_t>::max();  // exclusive
  double cost_usd_per_step = 0.0;
  std::vector<std::uint8_t> region_targeted;  // (nregions)
  std::vector<std::uint8_t> network_targeted; // (nnetworks)
  std::vector<std::uint16_t> checkpoints;
  std::uint16_t node = 0;
  double arrest_probability = 0.0;     // per step
  double client_detection_boost = 0.0;
  double reach_probability = 0.0;      // per step
  double danger_message = 0.0;
  double legal_pathways_message = 0.0;
  double credibility = 0.0;
  double exposure_decay = 0.0;         // exposure kept per step
  double detection_probability = kUnchanged;
  double document_sensitivity = kUnchanged;
  double high_risk_sensitivity = kUnchanged;
  double false_positive_rate = kUnchanged;
  double capacity_agents = kUnchanged;  // per step
  double ramp_up_steps = 0.0;
  std::uint32_t partner_mask = 0;
  double match_rate = 0.0;
  std::uint16_t pathway = 0;            // legal_pathway: its index among the model's pathways
  double awareness_probability = 0.0;   // per step

  static constexpr double kUnchanged = std::numeric_limits<double>::quiet_NaN();
  bool active(std::int32_t step) const { return step >= start_step && step < end_step; }
};

// The policy in force during one step.
struct PolicyState {
  // Checkpoints                                                   (ncheckpoints)
  std::vector<double> detection_probability;
  std::vector<double> document_sensitivity;
  std::vector<double> high_risk_sensitivity;
  std::vector<double> false_positive_rate;
  std::vector<double> capacity_agents;          // screened per step
  std::vector<std::uint32_t> partner_mask;
  std::vector<double> shared_match_rate;
  std::vector<double> client_detection_boost;   // for smugglers' clients
  // Smuggling networks                                            (nnetworks)
  std::vector<double> arrest_probability;       // capacity lost to arrests this step
  // Entry                                                         (nregions x nnodes)
  std::vector<std::uint8_t> visa_closed;
  // Outreach                                         (ncampaigns x ncommunities)
  std::vector<double> exposure;                 // share of members recently reached
  std::vector<double> outreach_weight;          // (ncommunities) sum of credibility x exposure, at most 1
  std::vector<double> outreach_danger;          // (ncommunities) sum of credibility x exposure x message
  std::vector<double> legal_awareness_probability;  // (ncommunities) per step, for those unaware
  // Interventions                                                 (ninterventions)
  std::vector<double> activity;                 // 0 inactive, 1 in full force (ramps in between)
  double cost_usd = 0.0;                        // this step

  bool may_enter(std::size_t region, std::size_t node, std::size_t nnodes) const {
    return visa_closed[region * nnodes + node] == 0;
  }
};

// Resolves the scenario's interventions into `model` (and appends a legal
// pathway for each legal_pathway intervention). Throws InputError.
void compile_interventions(const Scenario& scenario, Model& model);

// Sizes PolicyState for the model.
void allocate_policy(const Model& model, PolicyState& policy);

// Clears what carries over between steps (outreach exposure).
void reset_policy(PolicyState& policy);

// Writes the policy in force during state.step.
void apply_policy_schedule(const Model& model, State& state);

}  // namespace migrasim
