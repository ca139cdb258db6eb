// The policy in force during a step, written at the start of every step by
// apply_policy_schedule() (called by the environment stage) from the model's
// standing rules and the interventions active then. Stages read
// policy-dependent parameters from PolicyState only, so an intervention never
// touches the Model and a scenario without interventions runs exactly as
// before. Each compiled effect (model/interventions.hpp) has its apply() in
// policy.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/parameters.hpp"

namespace migrasim {

struct Model;

// A visa barrier that some travellers without the visa get past (VisaPolicy).
struct VisaBarrier {
  double refusal_probability = 1.0;
  double overstay_probability = 0.0;
  double fraud_probability = 0.0;
};

// visa_rule codes: entry open, closed to all without the visa, or partly
// closed (who gets past is decided per traveller, engine/stages/journey.hpp).
inline constexpr std::uint8_t kVisaOpen = 0, kVisaClosed = 1, kVisaBarrier = 2;

struct PolicyState {
  // The scheduled parameters in force this step (model/parameters.hpp): the
  // Model's table value of the step, then policies on top. One per entity.
#define MIGRASIM_IN_FORCE(type, name, meaning) std::vector<type> name;
  MIGRASIM_SCHEDULED_PARAMETERS(MIGRASIM_IN_FORCE)
#undef MIGRASIM_IN_FORCE
  std::vector<std::uint8_t> edge_closed;  // (nedges) nobody sets out on it this step
  // Route costs (written only when edge costs change, else the Model's)
  std::vector<double> node_cost_to_destination;  // (nnodes)
  std::vector<double> region_route_cost_usd;     // (nregions)
  // Checkpoints                                                   (ncheckpoints)
  std::vector<std::uint32_t> partner_mask;
  std::vector<double> client_detection_boost;  // for smugglers' clients
  // Smuggling networks                                            (nnetworks)
  std::vector<double> arrest_probability;  // capacity lost to arrests this step
  // Entry                                                         (nregions x nnodes)
  std::vector<std::uint8_t> visa_rule;    // kVisaOpen, kVisaClosed or kVisaBarrier
  std::vector<VisaBarrier> visa_barrier;  // where visa_rule is kVisaBarrier
  // Legal pathways                                                (npathways)
  std::vector<std::uint8_t> pathway_open;
  // Outreach                                         (ncampaigns x ncommunities)
  std::vector<double> exposure;         // share of members recently reached
  std::vector<double> outreach_weight;  // (ncommunities) sum of credibility x exposure, at most 1
  std::vector<double> outreach_danger;  // (ncommunities) sum of credibility x exposure x message
  std::vector<double> legal_awareness_probability;  // (ncommunities) per step, for those unaware
  // Interventions                                                 (ninterventions)
  std::vector<double> activity;  // 0 inactive, 1 in full force (ramps in between)
  double cost_usd = 0.0;         // this step

  // Bytes held by every array, for memory accounting.
  std::size_t bytes() const;

  std::uint8_t visa_rule_at(std::size_t region, std::size_t node, std::size_t nnodes) const {
    return visa_rule[region * nnodes + node];
  }
};

// Sizes PolicyState for the model.
void allocate_policy(const Model& model, PolicyState& policy);

// Clears what carries over between steps (outreach exposure).
void reset_policy(PolicyState& policy);

// Writes the policy in force during `step`.
void apply_policy_schedule(const Model& model, std::int32_t step, PolicyState& policy);

}  // namespace migrasim
