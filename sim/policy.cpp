#include "policy.hpp"

#include <algorithm>
#include <cmath>

#include "errors.hpp"
#include "model.hpp"
#include "state.hpp"

namespace migrasim {
namespace {

[[noreturn]] void fail_at(const Scenario& s, const std::string& path, const std::string& message) {
  throw InputError(s.locate(path) + ": " + path + ": " + message);
}

template <class Names>
std::size_t index_of(const Scenario& s, const Names& names, const std::string& name, const std::string& path,
                     const char* what) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    fail_at(s, path, std::string("unknown ") + what + " '" + name + "'; known: " + (known.empty() ? "none" : known));
  }
  return static_cast<std::size_t>(it - names.begin());
}

std::vector<std::uint8_t> targeted(const Scenario& s, const std::vector<std::string>& all,
                                   const std::vector<std::string>& chosen, const std::string& path, const char* what) {
  std::vector<std::uint8_t> mask(all.size(), chosen.empty() ? 1 : 0);
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    mask[index_of(s, all, chosen[k], path + "[" + std::to_string(k) + "]", what)] = 1;
  }
  return mask;
}

// Value of a checkpoint parameter under an upgrade at `level` in [0, 1].
double upgraded(double base, double target, double level) {
  if (std::isnan(target)) return base;
  if (std::isinf(base)) return target;  // from unlimited there is no ramp
  return base + level * (target - base);
}

}  // namespace

void compile_interventions(const Scenario& s, Model& m) {
  for (std::size_t k = 0; k < s.interventions.size(); ++k) {
    const InterventionSpec& spec = s.interventions[k];
    const std::string path = "interventions[" + std::to_string(k) + "]";
    for (const Intervention& other : m.interventions) {
      if (other.name == spec.name) fail_at(s, path, "an intervention named '" + spec.name + "' is already defined");
    }
    Intervention v;
    v.type = spec.type;
    v.name = spec.name;
    v.start_step = m.first_step_from(spec.start);
    if (spec.end) v.end_step = m.first_step_from(Date{spec.end->days_since_epoch + 1});
    v.cost_usd_per_step = spec.cost_usd_per_day * m.step_days;
    v.region_targeted = targeted(s, m.region_name, spec.regions, path + ".regions", "region");
    v.network_targeted = targeted(s, m.network_name, spec.networks, path + ".networks", "smuggling network");
    for (std::size_t c = 0; c < spec.checkpoints.size(); ++c) {
      v.checkpoints.push_back(static_cast<std::uint16_t>(index_of(
          s, m.checkpoint_name, spec.checkpoints[c], path + ".checkpoints[" + std::to_string(c) + "]", "checkpoint")));
    }
    switch (spec.type) {
      case InterventionType::kSmugglingTaskForce:
        v.arrest_probability = probability_per_step(spec.arrest_rate_per_day, m.step_days);
        v.client_detection_boost = spec.client_detection_boost;
        break;
      case InterventionType::kOutreachCampaign:
        v.reach_probability = probability_per_step(spec.reach_per_day, m.step_days);
        v.danger_message = spec.danger_message;
        v.legal_pathways_message = spec.legal_pathways_message;
        v.credibility = spec.credibility;
        v.exposure_decay = std::exp(-m.step_days / spec.decay_days);
        break;
      case InterventionType::kScreeningUpgrade:
        if (spec.detection_probability) v.detection_probability = *spec.detection_probability;
        if (spec.document_sensitivity) v.document_sensitivity = *spec.document_sensitivity;
        if (spec.high_risk_sensitivity) v.high_risk_sensitivity = *spec.high_risk_sensitivity;
        if (spec.false_positive_rate) v.false_positive_rate = *spec.false_positive_rate;
        if (spec.throughput_per_day) v.capacity_agents = *spec.throughput_per_day * m.step_days / m.persons_per_agent;
        v.ramp_up_steps = spec.ramp_up_days / m.step_days;
        break;
      case InterventionType::kDataSharing:
        for (std::size_t p = 0; p < spec.partners.size(); ++p) {
          const std::size_t partner = index_of(s, m.checkpoint_name, spec.partners[p],
                                               path + ".partners[" + std::to_string(p) + "]", "checkpoint");
          v.partner_mask |= 1u << partner;
        }
        v.match_rate = spec.match_rate;
        break;
      case InterventionType::kVisaPolicy: {
        const auto node = std::find(m.node_name.begin(), m.node_name.end(), spec.node);
        if (node == m.node_name.end()) fail_at(s, path + ".node", "unknown node '" + spec.node + "'");
        v.node = static_cast<std::uint16_t>(node - m.node_name.begin());
        break;
      }
      case InterventionType::kLegalPathway:
        v.pathway = static_cast<std::uint16_t>(m.pathway_count());
        m.pathway_name.push_back(spec.name);
        m.pathway_capacity_agents.push_back(spec.capacity_per_day * m.step_days / m.persons_per_agent);
        m.pathway_min_claim_strength.push_back(spec.min_claim_strength);
        m.pathway_region_allowed.insert(m.pathway_region_allowed.end(), v.region_targeted.begin(),
                                        v.region_targeted.end());
        m.pathway_from_step.push_back(v.start_step);
        m.pathway_until_step.push_back(v.end_step);
        m.pathway_wait_steps.push_back(static_cast<std::int32_t>(std::ceil(spec.wait_days / m.step_days - 1e-9)));
        v.awareness_probability = probability_per_step(spec.awareness_rate_per_day, m.step_days);
        break;
    }
    m.interventions.push_back(std::move(v));
  }
}

void allocate_policy(const Model& m, PolicyState& p) {
  const std::size_t nc = m.checkpoint_count();
  for (auto* column : {&p.detection_probability, &p.document_sensitivity, &p.high_risk_sensitivity,
                       &p.false_positive_rate, &p.capacity_agents, &p.shared_match_rate, &p.client_detection_boost}) {
    column->assign(nc, 0.0);
  }
  p.partner_mask.assign(nc, 0);
  p.arrest_probability.assign(m.network_count(), 0.0);
  p.visa_closed.assign(m.region_count() * m.node_count(), 0);
  std::size_t campaigns = 0;
  for (const Intervention& v : m.interventions) campaigns += v.type == InterventionType::kOutreachCampaign;
  p.exposure.assign(campaigns * m.community_count(), 0.0);
  for (auto* column : {&p.outreach_weight, &p.outreach_danger, &p.legal_awareness_probability}) {
    column->assign(m.community_count(), 0.0);
  }
  p.activity.assign(m.interventions.size(), 0.0);
}

void reset_policy(PolicyState& p) { std::fill(p.exposure.begin(), p.exposure.end(), 0.0); }

void apply_policy_schedule(const Model& m, State& s) {
  PolicyState& p = s.policy;
  const std::int32_t step = s.step;

  // The standing rules of the scenario.
  p.detection_probability = m.checkpoint_detection_probability;
  p.document_sensitivity = m.checkpoint_document_sensitivity;
  p.high_risk_sensitivity = m.checkpoint_high_risk_sensitivity;
  p.false_positive_rate = m.checkpoint_false_positive_rate;
  p.capacity_agents = m.checkpoint_capacity_agents;
  p.partner_mask = m.checkpoint_partner_mask;
  p.shared_match_rate = m.checkpoint_shared_match_rate;
  std::fill(p.client_detection_boost.begin(), p.client_detection_boost.end(), 0.0);
  std::fill(p.arrest_probability.begin(), p.arrest_probability.end(), 0.0);
  const std::size_t nnodes = m.node_count();
  for (std::size_t r = 0; r < m.region_count(); ++r) {
    for (std::size_t n = 0; n < nnodes; ++n) {
      p.visa_closed[r * nnodes + n] = m.may_enter(static_cast<RegionId>(r), static_cast<NodeId>(n), step) ? 0 : 1;
    }
  }
  const std::size_t ncommunities = m.community_count();
  std::fill(p.outreach_weight.begin(), p.outreach_weight.end(), 0.0);
  std::fill(p.outreach_danger.begin(), p.outreach_danger.end(), 0.0);
  std::fill(p.legal_awareness_probability.begin(), p.legal_awareness_probability.end(),
            m.info_legal_awareness_probability);
  p.cost_usd = 0.0;

  // Then each intervention in file order; where two act on the same parameter
  // the later one applies on top of the earlier.
  std::size_t campaign = 0;
  for (std::size_t k = 0; k < m.interventions.size(); ++k) {
    const Intervention& v = m.interventions[k];
    const bool on = v.active(step);
    double level = on ? 1.0 : 0.0;
    if (on && v.ramp_up_steps > 0.0) level = std::min(1.0, (step - v.start_step + 1) / v.ramp_up_steps);
    p.activity[k] = level;
    if (on) p.cost_usd += v.cost_usd_per_step;

    switch (v.type) {
      case InterventionType::kSmugglingTaskForce:
        if (!on) break;
        for (std::size_t n = 0; n < m.network_count(); ++n) {
          if (v.network_targeted[n]) p.arrest_probability[n] = 1.0 - (1.0 - p.arrest_probability[n]) * (1.0 - v.arrest_probability);
        }
        for (std::uint16_t c : v.checkpoints) {
          p.client_detection_boost[c] = 1.0 - (1.0 - p.client_detection_boost[c]) * (1.0 - v.client_detection_boost);
        }
        break;
      case InterventionType::kOutreachCampaign: {
        // Exposure: the share of a group reached lately. It fades with the
        // campaign's decay and, while the campaign runs, grows by the share of
        // the not-yet-exposed reached this step.
        double* exposure = p.exposure.data() + campaign * ncommunities;
        ++campaign;
        for (std::size_t c = 0; c < ncommunities; ++c) {
          double e = exposure[c] * v.exposure_decay;
          const bool reached = on && v.region_targeted[m.community_region[c]];
          if (reached) e += (1.0 - e) * v.reach_probability;
          exposure[c] = e;
          const double weight = v.credibility * e;
          p.outreach_weight[c] += weight;
          p.outreach_danger[c] += weight * v.danger_message;
          if (reached) {
            const double learn = v.reach_probability * v.credibility * v.legal_pathways_message;
            p.legal_awareness_probability[c] = 1.0 - (1.0 - p.legal_awareness_probability[c]) * (1.0 - learn);
          }
        }
        break;
      }
      case InterventionType::kScreeningUpgrade:
        if (!on) break;
        for (std::uint16_t c : v.checkpoints) {
          p.detection_probability[c] = upgraded(p.detection_probability[c], v.detection_probability, level);
          p.document_sensitivity[c] = upgraded(p.document_sensitivity[c], v.document_sensitivity, level);
          p.high_risk_sensitivity[c] = upgraded(p.high_risk_sensitivity[c], v.high_risk_sensitivity, level);
          p.false_positive_rate[c] = upgraded(p.false_positive_rate[c], v.false_positive_rate, level);
          p.capacity_agents[c] = upgraded(p.capacity_agents[c], v.capacity_agents, level);
        }
        break;
      case InterventionType::kDataSharing:
        if (!on) break;
        for (std::uint16_t c : v.checkpoints) {
          p.partner_mask[c] |= v.partner_mask;
          p.shared_match_rate[c] = std::max(p.shared_match_rate[c], v.match_rate);
        }
        break;
      case InterventionType::kVisaPolicy:
        if (!on) break;
        for (std::size_t r = 0; r < m.region_count(); ++r) {
          if (v.region_targeted[r]) p.visa_closed[r * nnodes + v.node] = 1;
        }
        break;
      case InterventionType::kLegalPathway:
        if (!on || v.awareness_probability == 0.0) break;
        for (std::size_t c = 0; c < ncommunities; ++c) {
          if (!v.region_targeted[m.community_region[c]]) continue;
          p.legal_awareness_probability[c] =
              1.0 - (1.0 - p.legal_awareness_probability[c]) * (1.0 - v.awareness_probability);
        }
        break;
    }
  }
  // Overlapping campaigns cannot outweigh the group's own record entirely.
  for (std::size_t c = 0; c < ncommunities; ++c) {
    if (p.outreach_weight[c] > 1.0) {
      p.outreach_danger[c] /= p.outreach_weight[c];
      p.outreach_weight[c] = 1.0;
    }
  }
}

}  // namespace migrasim
