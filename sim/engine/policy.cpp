#include "engine/policy.hpp"

#include <algorithm>
#include <cmath>
#include <variant>

#include "model/model.hpp"

namespace migrasim {
namespace {

// How far a policy is in force during the step: `on` from its start step to
// its end, at `level` in [0, 1] (below 1 while it ramps up).
struct Activity {
  bool on = false;
  double level = 0.0;
};

template <class Effect>
Activity activity_of(const Intervention& v, const Effect& effect, std::int32_t step) {
  Activity a{v.active(step), v.active(step) ? 1.0 : 0.0};
  if constexpr (requires { effect.ramp_up_steps; }) {
    if (a.on && effect.ramp_up_steps > 0.0)
      a.level = std::min(1.0, (step - v.start_step + 1) / effect.ramp_up_steps);
  }
  return a;
}

// 1 - (1 - p)(1 - q): the chance of either of two independent events.
double either(double p, double q) { return 1.0 - (1.0 - p) * (1.0 - q); }

// Value of a checkpoint parameter under an upgrade at `level` in [0, 1].
double upgraded(double base, double target, double level) {
  if (std::isnan(target)) return base;
  if (std::isinf(base)) return target;  // from unlimited there is no ramp
  return base + level * (target - base);
}

void apply(const SmugglingTaskForce& e, Activity a, const Model& m, PolicyState& p) {
  if (!a.on) return;
  for (std::size_t n = 0; n < m.network_count(); ++n) {
    if (e.network_targeted[n])
      p.arrest_probability[n] = either(p.arrest_probability[n], e.arrest_probability);
  }
  for (const CheckpointId c : e.checkpoints) {
    p.client_detection_boost[c] = either(p.client_detection_boost[c], e.client_detection_boost);
  }
}

// Exposure: the share of a group reached lately. It fades with the campaign's
// decay and, while the campaign runs, grows by the share of the not-yet-exposed
// reached this step.
void apply(const OutreachCampaign& e, Activity a, const Model& m, PolicyState& p) {
  const std::size_t ncommunities = m.community_count();
  double* exposure = p.exposure.data() + e.campaign * ncommunities;
  for (std::size_t c = 0; c < ncommunities; ++c) {
    double exposed = exposure[c] * e.exposure_decay;
    const bool reached = a.on && e.region_targeted[m.community_region[c]];
    if (reached) exposed += (1.0 - exposed) * e.reach_probability;
    exposure[c] = exposed;
    const double weight = e.credibility * exposed;
    p.outreach_weight[c] += weight;
    p.outreach_danger[c] += weight * e.danger_message;
    if (reached) {
      const double learn = e.reach_probability * e.credibility * e.legal_pathways_message;
      p.legal_awareness_probability[c] = either(p.legal_awareness_probability[c], learn);
    }
  }
}

void apply(const ScreeningUpgrade& e, Activity a, const Model&, PolicyState& p) {
  if (!a.on) return;
  for (const CheckpointId c : e.checkpoints) {
    p.checkpoint_detection_probability[c] =
        upgraded(p.checkpoint_detection_probability[c], e.detection_probability, a.level);
    p.checkpoint_document_sensitivity[c] =
        upgraded(p.checkpoint_document_sensitivity[c], e.document_sensitivity, a.level);
    p.checkpoint_high_risk_sensitivity[c] =
        upgraded(p.checkpoint_high_risk_sensitivity[c], e.high_risk_sensitivity, a.level);
    p.checkpoint_false_positive_rate[c] =
        upgraded(p.checkpoint_false_positive_rate[c], e.false_positive_rate, a.level);
    p.checkpoint_capacity_agents[c] =
        upgraded(p.checkpoint_capacity_agents[c], e.capacity_agents, a.level);
  }
}

void apply(const DataSharing& e, Activity a, const Model&, PolicyState& p) {
  if (!a.on) return;
  for (const CheckpointId c : e.checkpoints) {
    p.partner_mask[c] |= e.partner_mask;
    p.checkpoint_shared_match_rate[c] = std::max(p.checkpoint_shared_match_rate[c], e.match_rate);
  }
}

// Where several visa rules apply to the same travellers at the same node, the
// one fewest get past holds: a closure over any barrier, else the barrier with
// the lowest chance of entry.
void apply(const VisaPolicy& e, Activity a, const Model& m, PolicyState& p) {
  if (!a.on) return;
  const std::size_t nnodes = m.node_count();
  const double entry = e.entry_probability();
  for (std::size_t r = 0; r < m.region_count(); ++r) {
    if (!e.region_targeted[r]) continue;
    const std::size_t k = r * nnodes + e.node;
    std::uint8_t& rule = p.visa_rule[k];
    if (rule == kVisaClosed) continue;
    if (entry <= 0.0) {
      rule = kVisaClosed;
      continue;
    }
    VisaBarrier& barrier = p.visa_barrier[k];
    if (rule == kVisaBarrier && VisaPolicy{{},
                                           0,
                                           barrier.refusal_probability,
                                           barrier.overstay_probability,
                                           barrier.fraud_probability}
                                        .entry_probability() <= entry) {
      continue;
    }
    rule = kVisaBarrier;
    barrier = {e.refusal_probability, e.overstay_probability, e.fraud_probability};
  }
}

void apply(const AsylumPolicy& e, Activity a, const Model&, PolicyState& p) {
  if (!a.on) return;
  const auto set = [](double& value, double replacement) {
    if (!std::isnan(replacement)) value = replacement;
  };
  for (const std::uint16_t k : e.systems) {
    p.asylum_claim_multiplier[k] *= e.claim_multiplier;
    p.asylum_grant_multiplier[k] *= e.grant_multiplier;
    set(p.asylum_min_claim_strength[k], e.min_claim_strength);
    set(p.asylum_capacity_agents[k], e.capacity_agents);
    // Unlimited stays unlimited under any multiplier but 0 (inf x 0 is not 0).
    double& capacity = p.asylum_capacity_agents[k];
    if (e.capacity_multiplier != 1.0)
      capacity = e.capacity_multiplier == 0.0 ? 0.0 : capacity * e.capacity_multiplier;
    if (!std::isnan(e.min_processing_steps))
      p.asylum_min_processing_steps[k] = static_cast<std::int32_t>(e.min_processing_steps);
    set(p.asylum_removal_probability[k], e.removal_probability);
    set(p.asylum_removal_cost_usd[k], e.removal_cost_usd);
  }
}

void apply(const RouteMeasure& e, Activity a, const Model&, PolicyState& p) {
  if (!a.on) return;
  for (const EdgeId edge : e.edges) {
    if (e.closed) p.edge_closed[edge] = 1;
    if (e.mortality_multiplier != 1.0) {
      p.edge_death_hazard[edge] *= e.mortality_multiplier;
      p.edge_death_probability[edge] = -std::expm1(-p.edge_death_hazard[edge]);
    }
    p.edge_cost_usd[edge] *= e.cost_multiplier;
    if (e.travel_time_multiplier != 1.0) {
      const double steps = std::round(p.edge_travel_steps[edge] * e.travel_time_multiplier);
      p.edge_travel_steps[edge] = static_cast<std::uint16_t>(std::clamp(steps, 1.0, 65535.0));
    }
  }
}

void apply(const LegalPathwayOpening& e, Activity a, const Model& m, PolicyState& p) {
  if (!a.on) return;
  p.pathway_open[e.pathway] = 1;
  if (e.awareness_probability == 0.0) return;
  for (std::size_t c = 0; c < m.community_count(); ++c) {
    if (!e.region_targeted[m.community_region[c]]) continue;
    p.legal_awareness_probability[c] =
        either(p.legal_awareness_probability[c], e.awareness_probability);
  }
}

// Applies `v` as in force during `step`; returns its activity.
Activity apply(const Intervention& v, std::int32_t step, const Model& m, PolicyState& p) {
  return std::visit(
      [&](const auto& effect) {
        const Activity a = activity_of(v, effect, step);
        apply(effect, a, m, p);
        return a;
      },
      v.effect);
}

}  // namespace

void allocate_policy(const Model& m, PolicyState& p) {
  // The first step's values, so a state is ready for stages run on their own.
#define MIGRASIM_IN_FORCE(type, name, meaning) \
  p.name.resize(m.name.size());                \
  for (std::size_t k = 0; k < p.name.size(); ++k) p.name[k] = m.name[k].at(0);
  MIGRASIM_SCHEDULED_PARAMETERS(MIGRASIM_IN_FORCE)
#undef MIGRASIM_IN_FORCE
  p.node_cost_to_destination = m.node_cost_to_destination;
  p.region_route_cost_usd = m.region_route_cost_usd;
  const std::size_t nc = m.checkpoint_count();
  p.client_detection_boost.assign(nc, 0.0);
  p.edge_closed.assign(m.edge_count(), 0);
  p.partner_mask.assign(nc, 0);
  p.arrest_probability.assign(m.network_count(), 0.0);
  p.visa_rule.assign(m.region_count() * m.node_count(), kVisaOpen);
  p.visa_barrier.assign(m.region_count() * m.node_count(), VisaBarrier{});
  p.pathway_open.assign(m.pathway_count(), 0);
  const std::size_t campaigns = count_campaigns(m.interventions);
  p.exposure.assign(campaigns * m.community_count(), 0.0);
  for (auto* column : {&p.outreach_weight, &p.outreach_danger, &p.legal_awareness_probability}) {
    column->assign(m.community_count(), 0.0);
  }
  p.activity.assign(m.interventions.size(), 0.0);
}

std::size_t PolicyState::bytes() const {
  std::size_t total = 0;
  const auto add = [&total](const auto& v) { total += v.capacity() * sizeof(v[0]); };
#define MIGRASIM_IN_FORCE(type, name, meaning) add(name);
  MIGRASIM_SCHEDULED_PARAMETERS(MIGRASIM_IN_FORCE)
#undef MIGRASIM_IN_FORCE
  for (const auto* v : {&node_cost_to_destination, &region_route_cost_usd, &client_detection_boost,
                        &arrest_probability, &exposure, &outreach_weight, &outreach_danger,
                        &legal_awareness_probability, &activity}) {
    add(*v);
  }
  add(partner_mask);
  add(edge_closed);
  add(visa_rule);
  add(visa_barrier);
  add(pathway_open);
  return total;
}

void reset_policy(PolicyState& p) { std::fill(p.exposure.begin(), p.exposure.end(), 0.0); }

void apply_policy_schedule(const Model& m, std::int32_t step, PolicyState& p) {
  // The scenario's parameters of the step, before any policy acts on them.
#define MIGRASIM_IN_FORCE(type, name, meaning) \
  for (std::size_t k = 0; k < p.name.size(); ++k) p.name[k] = m.name[k].at(step);
  MIGRASIM_SCHEDULED_PARAMETERS(MIGRASIM_IN_FORCE)
#undef MIGRASIM_IN_FORCE
  std::copy(m.checkpoint_partner_mask.begin(), m.checkpoint_partner_mask.end(),
            p.partner_mask.begin());
  std::fill(p.client_detection_boost.begin(), p.client_detection_boost.end(), 0.0);
  std::fill(p.edge_closed.begin(), p.edge_closed.end(), 0);
  std::fill(p.arrest_probability.begin(), p.arrest_probability.end(), 0.0);
  std::fill(p.visa_rule.begin(), p.visa_rule.end(), kVisaOpen);
  std::fill(p.pathway_open.begin(), p.pathway_open.end(), 0);
  std::fill(p.outreach_weight.begin(), p.outreach_weight.end(), 0.0);
  std::fill(p.outreach_danger.begin(), p.outreach_danger.end(), 0.0);
  std::fill(p.legal_awareness_probability.begin(), p.legal_awareness_probability.end(),
            m.info_legal_awareness_probability);
  p.cost_usd = 0.0;

  // The standing rules, then each intervention in file order; where two act on
  // the same parameter the later one applies on top of the earlier.
  for (const Intervention& rule : m.standing_rules) apply(rule, step, m, p);
  for (std::size_t k = 0; k < m.interventions.size(); ++k) {
    const Activity a = apply(m.interventions[k], step, m, p);
    p.activity[k] = a.level;
    if (a.on) p.cost_usd += m.interventions[k].cost_usd_per_step;
  }
  if (m.route_costs_vary) {
    route_costs(m, p.edge_cost_usd.data(), p.node_cost_to_destination.data(),
                p.region_route_cost_usd.data());
  }
  // Overlapping campaigns cannot outweigh the group's own record entirely.
  for (std::size_t c = 0; c < m.community_count(); ++c) {
    if (p.outreach_weight[c] > 1.0) {
      p.outreach_danger[c] /= p.outreach_weight[c];
      p.outreach_weight[c] = 1.0;
    }
  }
}

}  // namespace migrasim
