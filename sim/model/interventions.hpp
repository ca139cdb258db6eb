// Policies compiled: targets resolved to ids, rates per day turned into
// probabilities per step. Each intervention type of input/interventions.hpp
// compiles, through its own compile_effect(), into an effect struct here;
// engine/policy.cpp gives each effect its meaning during a step. The standing
// rules of a scenario (nodes' visa rules, the legal_pathways section) compile
// into the same records as the interventions that express the same policy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "input/interventions.hpp"
#include "model/ids.hpp"

namespace migrasim {

struct Model;
struct Scenario;

struct SmugglingTaskForce {
  std::vector<std::uint8_t> network_targeted;  // (nnetworks)
  std::vector<CheckpointId> checkpoints;       // where clients are easier to spot
  double arrest_probability = 0.0;             // share of capacity lost per step
  double client_detection_boost = 0.0;
};

struct OutreachCampaign {
  std::vector<std::uint8_t> region_targeted;  // (nregions)
  std::size_t campaign = 0;        // its place among the model's campaigns (for its exposure)
  double reach_probability = 0.0;  // per step
  double danger_message = 0.0;
  double legal_pathways_message = 0.0;
  double credibility = 0.0;
  double exposure_decay = 0.0;  // exposure kept per step
};

struct ScreeningUpgrade {
  static constexpr double kUnchanged = std::numeric_limits<double>::quiet_NaN();
  std::vector<CheckpointId> checkpoints;
  double detection_probability = kUnchanged;
  double document_sensitivity = kUnchanged;
  double high_risk_sensitivity = kUnchanged;
  double false_positive_rate = kUnchanged;
  double capacity_agents = kUnchanged;  // screened per step
  double ramp_up_steps = 0.0;           // steps to full force
};

struct DataSharing {
  std::vector<CheckpointId> checkpoints;
  std::uint32_t partner_mask = 0;  // bit p: records of checkpoint p are shared
  double match_rate = 0.0;
};

struct VisaPolicy {
  std::vector<std::uint8_t> region_targeted;  // (nregions) travellers who need the visa
  NodeId node = 0;
  // Chances a traveller without the visa is refused, then gets in by overstay,
  // then by fraud (VisaEnforcementSpec); a rule no one gets past is a closure.
  double refusal_probability = 1.0;
  double overstay_probability = 0.0;
  double fraud_probability = 0.0;
  // 1 - refusal (1 - overstay)(1 - fraud): the chance one gets in at all.
  double entry_probability() const {
    return 1.0 - refusal_probability * (1.0 - overstay_probability) * (1.0 - fraud_probability);
  }
};

struct AsylumPolicy {
  static constexpr double kUnchanged = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::uint16_t> systems;
  double claim_multiplier = 1.0;
  double grant_multiplier = 1.0;
  double min_claim_strength = kUnchanged;
  double capacity_agents = kUnchanged;  // decided per step
  double capacity_multiplier = 1.0;
  double min_processing_steps = kUnchanged;
  double removal_probability = kUnchanged;
  double removal_cost_usd = kUnchanged;
};

struct RouteMeasure {
  std::vector<EdgeId> edges;
  bool closed = false;
  double mortality_multiplier = 1.0;
  double cost_multiplier = 1.0;
  double travel_time_multiplier = 1.0;
};

struct LegalPathwayOpening {
  std::uint16_t pathway = 0;  // its index among the model's pathways (Model::pathway_*)
  std::vector<std::uint8_t> region_targeted;  // (nregions) where awareness is raised
  double awareness_probability = 0.0;         // per step, while open
};

// What compile_effect() reads and where its errors point.
struct CompileContext {
  const Scenario& scenario;
  Model& model;
  std::string path;  // the entry's key path, e.g. interventions[3]
  std::string name;  // the intervention's name
};

SmugglingTaskForce compile_effect(const SmugglingTaskForceSpec& spec, CompileContext& context);
OutreachCampaign compile_effect(const OutreachCampaignSpec& spec, CompileContext& context);
ScreeningUpgrade compile_effect(const ScreeningUpgradeSpec& spec, CompileContext& context);
DataSharing compile_effect(const DataSharingSpec& spec, CompileContext& context);
VisaPolicy compile_effect(const VisaPolicySpec& spec, CompileContext& context);
LegalPathwayOpening compile_effect(const LegalPathwayOpeningSpec& spec, CompileContext& context);
RouteMeasure compile_effect(const RouteMeasureSpec& spec, CompileContext& context);
AsylumPolicy compile_effect(const AsylumPolicySpec& spec, CompileContext& context);

// The effect variant follows the list of intervention types: one alternative
// per type, in the same order, each the type compile_effect() makes of it.
template <class Parameters>
struct EffectsOf;
template <class... Specs>
struct EffectsOf<std::variant<Specs...>> {
  using type = std::variant<decltype(compile_effect(std::declval<const Specs&>(),
                                                    std::declval<CompileContext&>()))...>;
};
using InterventionEffect = EffectsOf<InterventionParameters>::type;

// One policy in force from start_step (inclusive) to end_step (exclusive).
struct Intervention {
  std::string name;
  std::int32_t start_step = 0;
  std::int32_t end_step = std::numeric_limits<std::int32_t>::max();
  double cost_usd_per_step = 0.0;
  InterventionEffect effect;

  bool active(std::int32_t step) const { return step >= start_step && step < end_step; }
  // The type's name in a scenario, e.g. smuggling_task_force.
  const char* type() const { return intervention_type_name(effect.index()); }
};

// The outreach campaigns among `interventions`: each keeps its groups'
// exposure in its own slot of PolicyState::exposure, in this order.
std::size_t count_campaigns(const std::vector<Intervention>& interventions);

// Compiles the standing rules into model.standing_rules and the interventions
// into model.interventions (legal pathways also into the model's pathway
// table). Throws InputError naming the entry.
void compile_policies(const Scenario& scenario, Model& model);

}  // namespace migrasim
