#include "input/interventions.hpp"

#include <array>
#include <cstddef>
#include <utility>

#include "input/scenario.hpp"
#include "input/yaml_input.hpp"

namespace migrasim {

namespace {

// A list of edges written [from, to], each noted for compile()'s messages.
std::vector<EdgeName> edge_names(const YamlField& list, Scenario& s) {
  std::vector<EdgeName> edges;
  for (const YamlField& edge : list.items()) {
    const auto pair = edge.items();
    if (pair.size() != 2) edge.fail("an edge is written [from, to]");
    edges.emplace_back(pair[0].name(), pair[1].name());
    s.note(edge);
  }
  return edges;
}

}  // namespace

void read_parameters(SmugglingTaskForceSpec& v, const YamlMap& map, Scenario& s) {
  if (auto f = map.optional("networks")) v.networks = s.names(*f);
  if (auto f = map.optional("nodes")) v.nodes = s.names(*f);
  if (auto f = map.optional("edges")) v.edges = edge_names(*f, s);
  if (auto f = map.optional("checkpoints")) v.checkpoints = s.names(*f);
  if (auto f = map.optional("arrest_rate_per_day")) v.arrest_rate_per_day = f->number_in(0.0, 10.0);
  v.client_detection_boost = map.probability_or("client_detection_boost", v.client_detection_boost);
}

void read_parameters(OutreachCampaignSpec& v, const YamlMap& map, Scenario& s) {
  if (auto f = map.optional("regions")) v.regions = s.names(*f);
  if (auto f = map.optional("reach_per_day")) v.reach_per_day = f->number_in(0.0, 10.0);
  v.danger_message = map.probability_or("danger_message", v.danger_message);
  v.legal_pathways_message = map.probability_or("legal_pathways_message", v.legal_pathways_message);
  v.credibility = map.probability_or("credibility", v.credibility);
  if (auto f = map.optional("decay_days")) v.decay_days = f->number_in(0.01, 1e5);
}

void read_parameters(ScreeningUpgradeSpec& v, const YamlMap& map, Scenario& s) {
  v.checkpoints = s.names(map.required("checkpoints"));
  if (auto f = map.optional("detection_probability")) v.detection_probability = f->probability();
  if (auto f = map.optional("document_sensitivity")) v.document_sensitivity = f->probability();
  if (auto f = map.optional("high_risk_sensitivity")) v.high_risk_sensitivity = f->probability();
  if (auto f = map.optional("false_positive_rate")) v.false_positive_rate = f->probability();
  if (auto f = map.optional("throughput_per_day")) v.throughput_per_day = f->number_at_least(0.0);
  if (auto f = map.optional("ramp_up_days")) v.ramp_up_days = f->number_in(0.0, 1e5);
}

void read_parameters(DataSharingSpec& v, const YamlMap& map, Scenario& s) {
  v.checkpoints = s.names(map.required("checkpoints"));
  v.partners = s.names(map.required("partners"));
  v.match_rate = map.required("match_rate").probability();
}

void read_parameters(VisaPolicySpec& v, const YamlMap& map, Scenario& s) {
  const YamlField node = map.required("node");
  v.node = node.name();
  s.note(node);
  v.regions = s.names(map.required("regions"));  // a visa rule names whom it applies to
  v.enforcement = read_visa_enforcement(map);
}

VisaEnforcementSpec read_visa_enforcement(const YamlMap& map) {
  VisaEnforcementSpec e;
  e.refusal_probability = map.probability_or("refusal_probability", e.refusal_probability);
  e.overstay_probability = map.probability_or("overstay_probability", e.overstay_probability);
  e.fraud_probability = map.probability_or("fraud_probability", e.fraud_probability);
  return e;
}

void read_parameters(AsylumPolicySpec& v, const YamlMap& map, Scenario& s) {
  if (auto f = map.optional("systems")) v.systems = s.names(*f);
  const auto number = [&map](std::string_view key, std::optional<double>& value, double low,
                             double high) {
    if (auto f = map.optional(key)) value = f->number_in(low, high);
  };
  number("claim_probability_multiplier", v.claim_probability_multiplier, 0.0, 1e3);
  number("grant_probability_multiplier", v.grant_probability_multiplier, 0.0, 1e3);
  number("min_claim_strength", v.min_claim_strength, 0.0, 1.0);
  number("capacity_per_day", v.capacity_per_day, 0.0, 1e12);
  number("capacity_multiplier", v.capacity_multiplier, 0.0, 1e3);
  number("min_processing_days", v.min_processing_days, 0.0, kMaxDays);
  number("removal_probability", v.removal_probability, 0.0, 1.0);
  number("removal_cost_usd", v.removal_cost_usd, 0.0, 1e9);
  if (v.capacity_per_day && v.capacity_multiplier) {
    map.required("capacity_multiplier")
        .fail("give capacity_per_day (a new capacity) or capacity_multiplier, not both");
  }
}

void read_parameters(LegalPathwayOpeningSpec& v, const YamlMap& map, Scenario& s) {
  if (auto f = map.optional("regions")) v.regions = s.names(*f);
  v.capacity_per_day = read_varying(map.required("capacity_per_day"), 0.0, 1e9);
  if (auto f = map.optional("min_claim_strength"))
    v.min_claim_strength = read_varying(*f, 0.0, 1.0);
  if (auto f = map.optional("wait_days")) v.wait_days = read_varying(*f, 0.0, kMaxDays);
  if (auto f = map.optional("awareness_rate_per_day"))
    v.awareness_rate_per_day = f->number_in(0.0, 10.0);
}

namespace {

template <std::size_t... I>
std::optional<InterventionParameters> parameters_named(const std::string& type,
                                                       std::index_sequence<I...>) {
  std::optional<InterventionParameters> found;
  ((type == std::variant_alternative_t<I, InterventionParameters>::kType
        ? void(found.emplace(std::in_place_index<I>))
        : void()),
   ...);
  return found;
}

constexpr auto kTypes = std::make_index_sequence<std::variant_size_v<InterventionParameters>>{};

template <std::size_t... I>
constexpr std::array<const char*, sizeof...(I)> names_of_types(std::index_sequence<I...>) {
  return {std::variant_alternative_t<I, InterventionParameters>::kType...};
}

constexpr auto kTypeNames = names_of_types(kTypes);

}  // namespace

const char* InterventionSpec::type() const { return intervention_type_name(parameters.index()); }

void read_parameters(RouteMeasureSpec& v, const YamlMap& map, Scenario& s) {
  if (auto f = map.optional("edges")) v.edges = edge_names(*f, s);
  if (auto f = map.optional("nodes")) v.nodes = s.names(*f);
  if (v.edges.empty() && v.nodes.empty())
    map.field().fail(
        "a route measure names its edges ([from, to] pairs) or nodes (every edge leaving them)");
  if (auto f = map.optional("closed")) v.closed = f->boolean();
  if (auto f = map.optional("mortality_multiplier"))
    v.mortality_multiplier = f->number_in(0.0, 1e3);
  if (auto f = map.optional("cost_multiplier")) v.cost_multiplier = f->number_in(0.0, 1e3);
  if (auto f = map.optional("travel_time_multiplier"))
    v.travel_time_multiplier = f->number_in(0.0, 1e3);
}

std::optional<InterventionParameters> intervention_parameters_of_type(const std::string& type) {
  return parameters_named(type, kTypes);
}

const char* intervention_type_name(std::size_t index) { return kTypeNames.at(index); }

std::string intervention_type_names() {
  std::string names;
  for (const char* name : kTypeNames) names += (names.empty() ? "" : ", ") + std::string(name);
  return names;
}

}  // namespace migrasim
