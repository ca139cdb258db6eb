// Policy interventions as written: one struct per type, each with its own
// fields (units in names), the name it has in a scenario (`kType`) and its
// reader. A typed, dated entry of a scenario's `interventions:` list is one
// InterventionSpec: the keys every type shares, and the type's own parameters.
//
// The list of types is InterventionParameters below and nowhere else: the
// scenario reader, the "allowed:" list of an unknown type, the compiled effects
// (model/interventions.hpp) and the step-time effects (engine/policy.cpp) are
// all derived from it, so a type added here without its reader, compile step or
// effect does not build. docs/contributing.md lists the steps.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "input/varying.hpp"
#include "util/dates.hpp"

namespace migrasim {

struct Scenario;
class YamlMap;

// Arrests cut targeted networks' capacity; intelligence helps checkpoints spot
// their clients.
// A route edge named by its end nodes.
using EdgeName = std::pair<std::string, std::string>;

struct SmugglingTaskForceSpec {
  static constexpr const char* kType = "smuggling_task_force";
  // Targets: the named networks and those selling passage from or to the
  // named nodes or over the named edges (none of the three = every network).
  std::vector<std::string> networks;
  std::vector<std::string> nodes;
  std::vector<EdgeName> edges;
  std::vector<std::string> checkpoints;  // where intelligence helps
  double arrest_rate_per_day = 0.0;      // share of targeted networks' capacity lost per day
  double client_detection_boost = 0.0;  // p' = 1 - (1 - p)(1 - boost) for clients, at `checkpoints`
};

// Messages on social platforms about the dangers of smuggling and about legal
// pathways.
struct OutreachCampaignSpec {
  static constexpr const char* kType = "outreach_campaign";
  std::vector<std::string> regions;     // targets (empty = all)
  double reach_per_day = 0.0;           // share of members newly reached per day
  double danger_message = 0.0;          // chance of dying the message conveys, in [0, 1]
  double legal_pathways_message = 0.0;  // weight of the message about legal pathways, in [0, 1]
  double credibility = 0.5;             // how far a reached group believes the message
  double decay_days = 30.0;             // e-folding time of a group's exposure
};

// New sensitivities, false-positive rate and throughput at checkpoints,
// reached after ramp_up_days (none = unchanged).
struct ScreeningUpgradeSpec {
  static constexpr const char* kType = "screening_upgrade";
  std::vector<std::string> checkpoints;
  std::optional<double> detection_probability;
  std::optional<double> document_sensitivity;
  std::optional<double> high_risk_sensitivity;
  std::optional<double> false_positive_rate;
  std::optional<double> throughput_per_day;
  double ramp_up_days = 0.0;
};

// Partner checkpoints' records shared with checkpoints.
struct DataSharingSpec {
  static constexpr const char* kType = "data_sharing";
  std::vector<std::string> checkpoints;
  std::vector<std::string> partners;
  double match_rate = 0.0;
};

// How a visa requirement is enforced on a traveller who does not have the
// visa (docs/model.md, "Visa barriers"). A traveller trying to enter is
// refused with refusal_probability; one refused still gets in on another
// status it can obtain (a tourist or transit entry it then overstays) with
// overstay_probability, else on falsified documents with fraud_probability
// (it then carries them, for checkpoints' document_sensitivity to catch). The
// defaults are a complete closure: nobody without the visa gets in.
struct VisaEnforcementSpec {
  double refusal_probability = 1.0;
  double overstay_probability = 0.0;
  double fraud_probability = 0.0;
};

// A node requires a visa that travellers from some regions do not have,
// enforced as `enforcement` says.
struct VisaPolicySpec {
  static constexpr const char* kType = "visa_policy";
  std::string node;
  std::vector<std::string> regions;  // whom it applies to (required)
  VisaEnforcementSpec enforcement;
};

// Changes to asylum systems' rules while in force (docs/model.md, "Asylum
// processing"); a key left out leaves that rule as it is. Multipliers act on
// the value in force (the scenario's, or an earlier policy's); the others
// replace it.
struct AsylumPolicySpec {
  static constexpr const char* kType = "asylum_policy";
  std::vector<std::string> systems;  // targets (empty = every system)
  std::optional<double> claim_probability_multiplier;
  std::optional<double> grant_probability_multiplier;
  std::optional<double> min_claim_strength;
  std::optional<double> capacity_per_day;  // claims decided per day
  std::optional<double> capacity_multiplier;
  std::optional<double> min_processing_days;
  std::optional<double> removal_probability;
  std::optional<double> removal_cost_usd;  // per person removed
};

// A legal channel opened for the intervention's time (see LegalPathwaySpec in
// scenario.hpp for the standing ones).
struct LegalPathwayOpeningSpec {
  static constexpr const char* kType = "legal_pathway";
  std::vector<std::string> regions;  // eligible regions (empty = all)
  VaryingSpec capacity_per_day = 0.0;
  VaryingSpec min_claim_strength = 0.0;
  VaryingSpec wait_days = 30.0;
  double awareness_rate_per_day = 0.0;  // hazard of learning of legal pathways while in force
};

// Measures on route edges: closure, a change in mortality (search and rescue
// withdrawn or deployed), in cost, in travel time. Targets the named edges and
// every edge leaving the named nodes.
struct RouteMeasureSpec {
  static constexpr const char* kType = "route_measure";
  std::vector<EdgeName> edges;
  std::vector<std::string> nodes;
  bool closed = false;                  // nobody sets out on the edges while in force
  double mortality_multiplier = 1.0;    // on the death hazard, alone and with smugglers
  double cost_multiplier = 1.0;         // on cost_usd (not on smugglers' fees)
  double travel_time_multiplier = 1.0;  // for those setting out while in force
};

// Every intervention type, in the order docs/interventions.md lists them.
using InterventionParameters =
    std::variant<SmugglingTaskForceSpec, OutreachCampaignSpec, ScreeningUpgradeSpec,
                 DataSharingSpec, VisaPolicySpec, LegalPathwayOpeningSpec, RouteMeasureSpec,
                 AsylumPolicySpec>;

struct InterventionSpec {
  std::string name;
  Date start;
  std::optional<Date> end;  // inclusive: the last day in force; none = to the end of the run
  double cost_usd_per_day = 0.0;
  InterventionParameters parameters;

  const char* type() const;
};

// Each type's reader: the type's own keys from `map` (the shared keys are read
// by the caller), with name references noted in `scenario` for compile().
void read_parameters(SmugglingTaskForceSpec& spec, const YamlMap& map, Scenario& scenario);
void read_parameters(OutreachCampaignSpec& spec, const YamlMap& map, Scenario& scenario);
void read_parameters(ScreeningUpgradeSpec& spec, const YamlMap& map, Scenario& scenario);
void read_parameters(DataSharingSpec& spec, const YamlMap& map, Scenario& scenario);
void read_parameters(VisaPolicySpec& spec, const YamlMap& map, Scenario& scenario);
void read_parameters(LegalPathwayOpeningSpec& spec, const YamlMap& map, Scenario& scenario);
void read_parameters(RouteMeasureSpec& spec, const YamlMap& map, Scenario& scenario);
void read_parameters(AsylumPolicySpec& spec, const YamlMap& map, Scenario& scenario);

// The enforcement keys of a visa rule (a node's visa_required entry, a
// visa_policy intervention).
VisaEnforcementSpec read_visa_enforcement(const YamlMap& map);

// The parameters of the type named `type`, at their defaults; none if no type
// has that name.
std::optional<InterventionParameters> intervention_parameters_of_type(const std::string& type);

// The name of the type at `index` in InterventionParameters.
const char* intervention_type_name(std::size_t index);

// "smuggling_task_force, outreach_campaign, ...", for messages and docs.
std::string intervention_type_names();

}  // namespace migrasim
