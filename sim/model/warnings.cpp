#include "model/warnings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <variant>

namespace migrasim {
namespace {

std::string two_significant(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2g", x);
  return text;
}

double highest(const StepTable<double>& table) {
  return table.varies() ? *std::max_element(table.per_step.begin(), table.per_step.end())
                        : table.constant;
}

// Nodes some traveller can reach: from an origin or an initial stock's node,
// along edges whose choice weight is above 0 at some step.
std::vector<bool> reachable_nodes(const Model& m) {
  std::vector<bool> reached(m.node_count(), false);
  std::vector<NodeId> stack;
  for (const auto* starts : {&m.region_origin, &m.stock_node}) {
    for (const NodeId start : *starts) {
      if (!reached[start]) stack.push_back(start);
      reached[start] = true;
    }
  }
  while (!stack.empty()) {
    const NodeId n = stack.back();
    stack.pop_back();
    for (EdgeId e = m.node_first_edge[n]; e < m.node_first_edge[n + 1]; ++e) {
      if (highest(m.edge_choice_weight[e]) <= 0.0 || reached[m.edge_to[e]]) continue;
      reached[m.edge_to[e]] = true;
      stack.push_back(m.edge_to[e]);
    }
  }
  return reached;
}

// Whether `from` lies on some way to `to` (a record made at `from` can be
// read at `to`).
bool upstream(const Model& m, NodeId from, NodeId to) {
  std::vector<bool> seen(m.node_count(), false);
  std::vector<NodeId> stack{from};
  while (!stack.empty()) {
    const NodeId n = stack.back();
    stack.pop_back();
    if (n == to && n != from) return true;
    for (EdgeId e = m.node_first_edge[n]; e < m.node_first_edge[n + 1]; ++e) {
      if (!seen[m.edge_to[e]]) {
        seen[m.edge_to[e]] = true;
        stack.push_back(m.edge_to[e]);
      }
    }
  }
  return false;
}

class Checker {
 public:
  Checker(const Scenario& s, const Model& m) : s_(s), m_(m), reached_(reachable_nodes(m)) {}

  std::vector<ScenarioWarning> run() {
    check_places();
    check_initial_stocks();
    check_returns();
    check_resolution();
    for (std::size_t k = 0; k < s_.interventions.size(); ++k) check_intervention(k);
    return std::move(warnings_);
  }

 private:
  void warn(const std::string& key, const std::string& message) {
    warnings_.push_back({s_.locate(key), key, message});
  }

  void check_places() {
    for (std::size_t k = 0; k < m_.asylum_system_count() && s_.asylum_is_list; ++k) {
      if (!hears_claims(static_cast<std::uint16_t>(k))) {
        warn("asylum[" + std::to_string(k) + "]",
             "the asylum system hears no claims: no checkpoint on its nodes, or on the way only "
             "to them, has an asylum_claim_probability above 0 on a route travellers take");
      }
    }
    for (std::size_t c = 0; c < m_.checkpoint_count(); ++c) {
      if (!reached_[m_.checkpoint_node[c]]) {
        warn("checkpoints[" + std::to_string(c) + "]",
             "no route reaches node '" + m_.node_name[m_.checkpoint_node[c]] +
                 "' (every way there has choice_weight 0): the checkpoint screens nobody");
      }
      for (std::size_t p = 0; p < m_.checkpoint_count(); ++p) {
        if (!(m_.checkpoint_partner_mask[c] & (1u << p))) continue;
        if (!upstream(m_, m_.checkpoint_node[p], m_.checkpoint_node[c])) {
          warn("checkpoints[" + std::to_string(c) + "]",
               "partner '" + m_.checkpoint_name[p] +
                   "' is not upstream: no traveller passes it before reaching this checkpoint, "
                   "so its records are never read here");
        }
      }
    }
  }

  // A stock of fewer persons than half an agent holds no agent at all.
  void check_initial_stocks() {
    for (std::size_t k = 0; k < m_.stock_count(); ++k) {
      const double persons = s_.initial_stocks[k].persons;
      if (persons > 0.0 && m_.stock_first_agent[k + 1] == m_.stock_first_agent[k]) {
        warn("initial_stocks[" + std::to_string(k) + "]",
             two_significant(persons) + " persons are no agent at persons_per_agent " +
                 two_significant(m_.persons_per_agent) + ": the stock is left out");
      }
    }
  }

  // A return that can never happen, and a rule for deciding after detention
  // that nobody ever meets.
  void check_returns() {
    for (std::size_t c = 0; c < m_.checkpoint_count(); ++c) {
      if (m_.checkpoint_return_node[c] != kNone &&
          highest(m_.checkpoint_return_probability[c]) <= 0) {
        warn("checkpoints[" + std::to_string(c) + "]",
             "return_to is set but return_probability is 0 throughout: nobody is sent back");
      }
    }
    const DecisionSpec defaults;
    const DecisionSpec& d = s_.decisions;
    const bool rule_written =
        d.reattempt_probability != defaults.reattempt_probability ||
        d.reattempt_factor_per_return != defaults.reattempt_factor_per_return ||
        d.reattempt_savings_usd != defaults.reattempt_savings_usd ||
        d.go_home_probability != defaults.go_home_probability;
    if (rule_written && !m_.any_returns) {
      warn("decisions",
           "the re-attempt rule (reattempt_probability, reattempt_factor_per_return, "
           "reattempt_savings_usd, go_home_probability) is set but no checkpoint has return_to: "
           "nobody is ever detained, so it never acts");
    }
  }

  // Knowledge spreads within groups from those who know the route at the
  // start. Fewer than one such agent per group on average leaves most groups
  // without a seed, so how fast knowledge spreads depends on the number of
  // agents per group, that is on persons_per_agent (docs/model.md, Resolution).
  void check_resolution() {
    if (m_.info_initial_awareness >= 1.0 || m_.info_contagion_hazard <= 0.0) return;
    const double agents_per_group =
        static_cast<double>(m_.agents) / static_cast<double>(m_.community_count());
    const double seeds_per_group = m_.info_initial_awareness * agents_per_group;
    if (seeds_per_group >= 1.0) return;
    warn("population.agents",
         "groups hold " + two_significant(agents_per_group) + " agents on average, of whom " +
             two_significant(seeds_per_group) +
             " know the route at the start: most groups start without anyone who knows it, so "
             "how fast knowledge spreads depends on persons_per_agent; use more agents (or fewer "
             "communities) for results independent of the resolution");
  }

  void check_intervention(std::size_t k) {
    const InterventionSpec& spec = s_.interventions[k];
    const Intervention& v = m_.interventions[k];
    const std::string key = "interventions[" + std::to_string(k) + "]";
    if (v.start_step >= m_.steps || v.end_step <= 0) {
      warn(key, "'" + v.name + "' is never in force during the run (" + to_string(s_.time.start) +
                    " to " + to_string(s_.time.end) + ")");
    }
    std::visit([&](const auto& effect) { check(effect, spec, key); }, v.effect);
  }

  void check(const SmugglingTaskForce& e, const InterventionSpec&, const std::string& key) {
    if (std::none_of(e.network_targeted.begin(), e.network_targeted.end(),
                     [](std::uint8_t t) { return t != 0; })) {
      warn(key, "the task force targets no smuggling network (none sells passage at its places)");
    } else if (e.arrest_probability == 0.0 &&
               (e.client_detection_boost == 0.0 || e.checkpoints.empty())) {
      warn(key,
           "the task force changes nothing: arrest_rate_per_day is 0 and no checkpoint "
           "gets a client_detection_boost");
    }
    for (std::size_t n = 0; n < m_.network_count(); ++n) {
      if (e.network_targeted[n] && m_.network_initial_capacity[n] <= 0.0 &&
          highest(m_.network_recruitment[n]) <= 0.0) {
        warn(key, "targets network '" + m_.network_name[n] +
                      "', which never has capacity (capacity_per_day 0 and no recruitment): no "
                      "traveller can hire it");
      }
    }
  }

  void check(const OutreachCampaign& e, const InterventionSpec&, const std::string& key) {
    const bool reaches = e.reach_probability > 0.0 && e.credibility > 0.0;
    const bool danger_acts = reaches && e.danger_message > 0.0 && m_.decision_danger_weight != 0.0;
    const bool legal_acts = reaches && e.legal_pathways_message > 0.0 && m_.pathway_count() > 0;
    if (danger_acts || legal_acts) return;
    std::string why;
    if (!reaches) {
      why = "reach_per_day or credibility is 0";
    } else {
      why = e.danger_message > 0.0 && m_.decision_danger_weight == 0.0
                ? "decisions.danger_weight is 0, so perceived danger does not enter decisions"
                : "its danger_message is 0";
      why += m_.pathway_count() == 0 ? ", and the scenario has no legal pathway"
                                     : ", and its legal_pathways_message is 0";
    }
    warn(key, "the outreach campaign cannot change anything: " + why);
  }

  void check(const ScreeningUpgrade& e, const InterventionSpec&, const std::string& key) {
    const auto unchanged = [](double x) { return std::isnan(x); };
    if (unchanged(e.detection_probability) && unchanged(e.document_sensitivity) &&
        unchanged(e.high_risk_sensitivity) && unchanged(e.false_positive_rate) &&
        unchanged(e.capacity_agents)) {
      warn(key, "the screening upgrade sets no parameter: it changes nothing");
    }
  }

  void check(const DataSharing& e, const InterventionSpec&, const std::string& key) {
    if (e.match_rate == 0.0) warn(key, "match_rate is 0: the shared data never match anyone");
  }

  void check(const VisaPolicy& e, const InterventionSpec&, const std::string& key) {
    if (!reached_[e.node]) {
      warn(key, "no route reaches node '" + m_.node_name[e.node] + "': the visa rule stops nobody");
    } else if (e.entry_probability() >= 1.0) {
      warn(key,
           "every traveller without the visa gets in (refusal_probability 0, or "
           "overstay_probability or fraud_probability 1): the visa rule stops nobody");
    }
  }

  void check(const AsylumPolicy& e, const InterventionSpec& spec, const std::string& key) {
    const auto& p = std::get<AsylumPolicySpec>(spec.parameters);
    if (!p.claim_probability_multiplier && !p.grant_probability_multiplier &&
        !p.min_claim_strength && !p.capacity_per_day && !p.capacity_multiplier &&
        !p.min_processing_days && !p.removal_probability && !p.removal_cost_usd) {
      warn(key, "the asylum policy sets no rule: it changes nothing");
    }
    for (const std::uint16_t system : e.systems) {
      if (!hears_claims(system)) {
        warn(key, "asylum system '" + m_.asylum_system_name[system] +
                      "' hears no claims (no checkpoint it hears has an asylum_claim_probability "
                      "above 0): the policy acts on nobody there");
      }
    }
  }

  // Whether some checkpoint sends claims to `system`.
  bool hears_claims(std::uint16_t system) const {
    for (std::size_t c = 0; c < m_.checkpoint_count(); ++c) {
      if (m_.node_asylum_system[m_.checkpoint_node[c]] == system &&
          reached_[m_.checkpoint_node[c]] &&
          highest(m_.checkpoint_asylum_claim_probability[c]) > 0.0) {
        return true;
      }
    }
    return false;
  }

  void check(const LegalPathwayOpening& e, const InterventionSpec&, const std::string& key) {
    if (highest(m_.pathway_capacity_agents[e.pathway]) <= 0.0)
      warn(key, "capacity_per_day is 0: nobody can be admitted");
  }

  void check(const RouteMeasure& e, const InterventionSpec&, const std::string& key) {
    if (!e.closed && e.mortality_multiplier == 1.0 && e.cost_multiplier == 1.0 &&
        e.travel_time_multiplier == 1.0) {
      warn(key, "the route measure changes nothing (not closed, every multiplier 1)");
    }
    for (const EdgeId edge : e.edges) {
      if (!reached_[m_.edge_from[edge]]) {
        warn(key, "no route reaches edge " + edge_label(m_, edge) + ": the measure acts on nobody");
      }
    }
  }

  const Scenario& s_;
  const Model& m_;
  std::vector<bool> reached_;
  std::vector<ScenarioWarning> warnings_;
};

}  // namespace

std::vector<ScenarioWarning> find_warnings(const Scenario& scenario, const Model& model) {
  return Checker(scenario, model).run();
}

}  // namespace migrasim
