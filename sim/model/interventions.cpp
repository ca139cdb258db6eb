#include "model/interventions.hpp"

#include <algorithm>
#include <cmath>

#include "input/scenario.hpp"
#include "model/model.hpp"
#include "model/time_step.hpp"
#include "util/quoting.hpp"

namespace migrasim {
namespace {

std::size_t index_of(const Scenario& s, const std::vector<std::string>& names,
                     const std::string& name, const std::string& path, const char* what) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    s.fail(path, std::string("unknown ") + what + " " + quote(name) + "; known " + what +
                     "s: " + (known.empty() ? "none" : known));
  }
  return static_cast<std::size_t>(it - names.begin());
}

// 1 for each of `all` named in `chosen` (every one when `chosen` is empty).
std::vector<std::uint8_t> targeted(const Scenario& s, const std::vector<std::string>& all,
                                   const std::vector<std::string>& chosen, const std::string& path,
                                   const char* what) {
  std::vector<std::uint8_t> mask(all.size(), chosen.empty() ? 1 : 0);
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    mask[index_of(s, all, chosen[k], path + "[" + std::to_string(k) + "]", what)] = 1;
  }
  return mask;
}

NodeId node_id(const CompileContext& c, const std::string& name, const std::string& path) {
  return static_cast<NodeId>(index_of(c.scenario, c.model.node_name, name, path, "node"));
}

// The edges named as [from, to] pairs, then every edge leaving the named nodes.
std::vector<EdgeId> edge_ids(const CompileContext& c, const std::vector<EdgeName>& edges,
                             const std::vector<std::string>& nodes) {
  const Model& m = c.model;
  std::vector<EdgeId> ids;
  for (std::size_t k = 0; k < edges.size(); ++k) {
    const std::string path = c.path + ".edges[" + std::to_string(k) + "]";
    const NodeId from = node_id(c, edges[k].first, path);
    const NodeId to = node_id(c, edges[k].second, path);
    EdgeId found = kNone;
    for (EdgeId e = m.node_first_edge[from]; e < m.node_first_edge[from + 1]; ++e) {
      if (m.edge_to[e] == to) found = e;
    }
    if (found == kNone) {
      c.scenario.fail(path, "there is no edge " + edges[k].first + " -> " + edges[k].second);
    }
    ids.push_back(found);
  }
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const NodeId n = node_id(c, nodes[k], c.path + ".nodes[" + std::to_string(k) + "]");
    for (EdgeId e = m.node_first_edge[n]; e < m.node_first_edge[n + 1]; ++e) ids.push_back(e);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::vector<CheckpointId> checkpoint_ids(const CompileContext& c,
                                         const std::vector<std::string>& names,
                                         const std::string& key) {
  std::vector<CheckpointId> ids;
  for (std::size_t k = 0; k < names.size(); ++k) {
    ids.push_back(static_cast<CheckpointId>(
        index_of(c.scenario, c.model.checkpoint_name, names[k],
                 c.path + "." + key + "[" + std::to_string(k) + "]", "checkpoint")));
  }
  return ids;
}

// The first step a policy is no longer in force, from the first day it is off
// (none: in force to the end of the run).
std::int32_t end_step_from(const Model& m, const std::optional<Date>& until) {
  return until ? m.first_step_from(*until) : std::numeric_limits<std::int32_t>::max();
}

// Adds a legal channel to the model's pathway table; returns its index.
std::uint16_t add_pathway(Model& m, const std::string& name, const VaryingSpec& capacity_per_day,
                          const VaryingSpec& min_claim_strength,
                          const std::vector<std::uint8_t>& region_allowed,
                          const VaryingSpec& wait_days) {
  m.pathway_name.push_back(name);
  m.pathway_capacity_agents.push_back(tabulate(m, capacity_per_day, [&m](double persons) {
    return persons * m.step_days / m.persons_per_agent;
  }));
  m.pathway_min_claim_strength.push_back(
      tabulate(m, min_claim_strength, [](double strength) { return strength; }));
  m.pathway_region_allowed.insert(m.pathway_region_allowed.end(), region_allowed.begin(),
                                  region_allowed.end());
  m.pathway_wait_steps.push_back(tabulate<std::int32_t>(
      m, wait_days, [&m](double days) { return steps_covering(days, m.step_days); }));
  return static_cast<std::uint16_t>(m.pathway_count() - 1);
}

VisaPolicy visa_policy(std::vector<std::uint8_t> region_targeted, NodeId node,
                       const VisaEnforcementSpec& enforcement) {
  VisaPolicy e;
  e.region_targeted = std::move(region_targeted);
  e.node = node;
  e.refusal_probability = enforcement.refusal_probability;
  e.overstay_probability = enforcement.overstay_probability;
  e.fraud_probability = enforcement.fraud_probability;
  return e;
}

// Nodes' visa rules: travellers from the listed regions may not enter the node
// from `from` until `until`.
void compile_standing_visa_rules(const Scenario& s, Model& m) {
  for (std::size_t n = 0; n < m.node_count(); ++n) {
    for (std::size_t k = 0; k < s.nodes[n].visa_required.size(); ++k) {
      const VisaRuleSpec& rule = s.nodes[n].visa_required[k];
      const std::string path =
          "route.nodes[" + std::to_string(n) + "].visa_required[" + std::to_string(k) + "]";
      Intervention v;
      v.name = m.node_name[n] + ".visa_required[" + std::to_string(k) + "]";
      v.start_step = m.first_step_from(rule.from);
      v.end_step = end_step_from(m, rule.until);
      v.effect = visa_policy(targeted(s, m.region_name, rule.regions, path + ".regions", "region"),
                             static_cast<NodeId>(n), rule.enforcement);
      m.standing_rules.push_back(std::move(v));
    }
  }
}

void compile_standing_pathways(const Scenario& s, Model& m) {
  for (std::size_t p = 0; p < s.legal_pathways.size(); ++p) {
    const LegalPathwaySpec& spec = s.legal_pathways[p];
    const std::string path = "legal_pathways[" + std::to_string(p) + "]";
    if (std::find(m.pathway_name.begin(), m.pathway_name.end(), spec.name) !=
        m.pathway_name.end()) {
      s.fail(path, "a legal pathway named '" + spec.name + "' is already defined");
    }
    LegalPathwayOpening opening;
    opening.region_targeted = targeted(s, m.region_name, spec.regions, path + ".regions", "region");
    opening.pathway = add_pathway(m, spec.name, spec.capacity_per_day, spec.min_claim_strength,
                                  opening.region_targeted, spec.wait_days);
    Intervention v;
    v.name = spec.name;
    v.start_step = m.first_step_from(spec.from);
    v.end_step = end_step_from(m, spec.until);
    v.effect = std::move(opening);
    m.standing_rules.push_back(std::move(v));
  }
}

}  // namespace

std::size_t count_campaigns(const std::vector<Intervention>& interventions) {
  return static_cast<std::size_t>(std::count_if(
      interventions.begin(), interventions.end(),
      [](const Intervention& v) { return std::holds_alternative<OutreachCampaign>(v.effect); }));
}

SmugglingTaskForce compile_effect(const SmugglingTaskForceSpec& spec, CompileContext& c) {
  SmugglingTaskForce e;
  const Model& m = c.model;
  const bool by_place = !spec.nodes.empty() || !spec.edges.empty();
  e.network_targeted = spec.networks.empty() && by_place
                           ? std::vector<std::uint8_t>(m.network_count(), 0)
                           : targeted(c.scenario, m.network_name, spec.networks,
                                      c.path + ".networks", "smuggling network");
  // Networks selling passage at the named places: over the named edges, or
  // from or to the named nodes.
  std::vector<EdgeId> places = edge_ids(c, spec.edges, {});
  for (std::size_t k = 0; k < spec.nodes.size(); ++k) {
    const NodeId n = node_id(c, spec.nodes[k], c.path + ".nodes[" + std::to_string(k) + "]");
    for (EdgeId edge = 0; edge < m.edge_count(); ++edge) {
      if (m.edge_from[edge] == n || m.edge_to[edge] == n) places.push_back(edge);
    }
  }
  for (const EdgeId edge : places) {
    for (std::uint32_t k = m.edge_first_network[edge]; k < m.edge_first_network[edge + 1]; ++k) {
      e.network_targeted[m.edge_networks[k]] = 1;
    }
  }
  e.checkpoints = checkpoint_ids(c, spec.checkpoints, "checkpoints");
  e.arrest_probability = probability_per_step(spec.arrest_rate_per_day, c.model.step_days);
  e.client_detection_boost = spec.client_detection_boost;
  return e;
}

OutreachCampaign compile_effect(const OutreachCampaignSpec& spec, CompileContext& c) {
  OutreachCampaign e;
  e.region_targeted =
      targeted(c.scenario, c.model.region_name, spec.regions, c.path + ".regions", "region");
  e.campaign = count_campaigns(c.model.interventions);
  e.reach_probability = probability_per_step(spec.reach_per_day, c.model.step_days);
  e.danger_message = spec.danger_message;
  e.legal_pathways_message = spec.legal_pathways_message;
  e.credibility = spec.credibility;
  e.exposure_decay = std::exp(-c.model.step_days / spec.decay_days);
  return e;
}

ScreeningUpgrade compile_effect(const ScreeningUpgradeSpec& spec, CompileContext& c) {
  const Model& m = c.model;
  ScreeningUpgrade e;
  e.checkpoints = checkpoint_ids(c, spec.checkpoints, "checkpoints");
  if (spec.detection_probability) e.detection_probability = *spec.detection_probability;
  if (spec.document_sensitivity) e.document_sensitivity = *spec.document_sensitivity;
  if (spec.high_risk_sensitivity) e.high_risk_sensitivity = *spec.high_risk_sensitivity;
  if (spec.false_positive_rate) e.false_positive_rate = *spec.false_positive_rate;
  if (spec.throughput_per_day)
    e.capacity_agents = *spec.throughput_per_day * m.step_days / m.persons_per_agent;
  e.ramp_up_steps = spec.ramp_up_days / m.step_days;
  return e;
}

DataSharing compile_effect(const DataSharingSpec& spec, CompileContext& c) {
  DataSharing e;
  e.checkpoints = checkpoint_ids(c, spec.checkpoints, "checkpoints");
  for (const CheckpointId partner : checkpoint_ids(c, spec.partners, "partners"))
    e.partner_mask |= 1u << partner;
  e.match_rate = spec.match_rate;
  return e;
}

VisaPolicy compile_effect(const VisaPolicySpec& spec, CompileContext& c) {
  return visa_policy(
      targeted(c.scenario, c.model.region_name, spec.regions, c.path + ".regions", "region"),
      static_cast<NodeId>(
          index_of(c.scenario, c.model.node_name, spec.node, c.path + ".node", "node")),
      spec.enforcement);
}

AsylumPolicy compile_effect(const AsylumPolicySpec& spec, CompileContext& c) {
  const Model& m = c.model;
  AsylumPolicy e;
  const std::vector<std::uint8_t> chosen = targeted(c.scenario, m.asylum_system_name, spec.systems,
                                                    c.path + ".systems", "asylum system");
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    if (chosen[k]) e.systems.push_back(static_cast<std::uint16_t>(k));
  }
  e.claim_multiplier = spec.claim_probability_multiplier.value_or(1.0);
  e.grant_multiplier = spec.grant_probability_multiplier.value_or(1.0);
  if (spec.min_claim_strength) e.min_claim_strength = *spec.min_claim_strength;
  if (spec.capacity_per_day)
    e.capacity_agents = *spec.capacity_per_day * m.step_days / m.persons_per_agent;
  e.capacity_multiplier = spec.capacity_multiplier.value_or(1.0);
  if (spec.min_processing_days)
    e.min_processing_steps = steps_covering(*spec.min_processing_days, m.step_days);
  if (spec.removal_probability) e.removal_probability = *spec.removal_probability;
  if (spec.removal_cost_usd) e.removal_cost_usd = *spec.removal_cost_usd;
  return e;
}

LegalPathwayOpening compile_effect(const LegalPathwayOpeningSpec& spec, CompileContext& c) {
  LegalPathwayOpening e;
  e.region_targeted =
      targeted(c.scenario, c.model.region_name, spec.regions, c.path + ".regions", "region");
  e.pathway = add_pathway(c.model, c.name, spec.capacity_per_day, spec.min_claim_strength,
                          e.region_targeted, spec.wait_days);
  e.awareness_probability = probability_per_step(spec.awareness_rate_per_day, c.model.step_days);
  return e;
}

RouteMeasure compile_effect(const RouteMeasureSpec& spec, CompileContext& c) {
  RouteMeasure e;
  e.edges = edge_ids(c, spec.edges, spec.nodes);
  e.closed = spec.closed;
  e.mortality_multiplier = spec.mortality_multiplier;
  e.cost_multiplier = spec.cost_multiplier;
  e.travel_time_multiplier = spec.travel_time_multiplier;
  if (e.cost_multiplier != 1.0) c.model.route_costs_vary = true;
  // The longest an edge can take, for the invariants, as the engine rounds it.
  for (const EdgeId edge : e.edges) {
    std::uint16_t& longest = c.model.edge_longest_travel_steps[edge];
    const double steps = std::round(longest * std::max(1.0, e.travel_time_multiplier));
    longest = static_cast<std::uint16_t>(std::clamp(steps, 1.0, 65535.0));
  }
  return e;
}

void compile_policies(const Scenario& s, Model& m) {
  compile_standing_visa_rules(s, m);
  compile_standing_pathways(s, m);
  for (std::size_t k = 0; k < s.interventions.size(); ++k) {
    const InterventionSpec& spec = s.interventions[k];
    CompileContext context{s, m, "interventions[" + std::to_string(k) + "]", spec.name};
    for (const Intervention& other : m.interventions) {
      if (other.name == spec.name)
        s.fail(context.path, "an intervention named '" + spec.name + "' is already defined");
    }
    Intervention v;
    v.name = spec.name;
    v.start_step = m.first_step_from(spec.start);
    if (spec.end) v.end_step = end_step_from(m, Date{spec.end->days_since_epoch + 1});
    v.cost_usd_per_step = spec.cost_usd_per_day * m.step_days;
    v.effect = std::visit(
        [&](const auto& parameters) {
          return InterventionEffect(compile_effect(parameters, context));
        },
        spec.parameters);
    m.interventions.push_back(std::move(v));
  }
}

}  // namespace migrasim
