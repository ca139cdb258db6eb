#include "engine/invariants.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace migrasim {
namespace {

// The most steps an edge has taken to travel at any step (travel times may vary).
std::uint16_t longest_travel_steps(const StepTable<std::uint16_t>& travel) {
  return travel.varies() ? *std::max_element(travel.per_step.begin(), travel.per_step.end())
                         : travel.constant;
}

}  // namespace

std::string find_invariant_violation(const Model& m, const State& s) {
  const Agents& a = s.agents;
  if (a.size() != m.agents) return "agent arrays have the wrong size";
  const std::size_t nedges = m.edge_count();
  const std::size_t nnodes = m.node_count();
  std::int64_t aware = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    aware += (a.flags[i] & kRouteAware) != 0;
    if (a.community[i] >= m.community_count() ||
        m.community_region[a.community[i]] != a.region[i]) {
      return "agent " + std::to_string(i) + " belongs to no community of its region";
    }
    const auto code = static_cast<std::size_t>(a.status[i]);
    const std::string who = "agent " + std::to_string(i);
    if (code >= kStatusCount) return who + " has no valid status (" + std::to_string(code) + ")";
    if (a.node[i] >= nnodes) return who + " is at no valid node";
    if (a.region[i] >= m.region_count()) return who + " has no valid region";
    if (a.status_step[i] > s.step) return who + " entered its status in the future";
    if (!(a.risk_tolerance[i] >= 0.0f && a.risk_tolerance[i] <= 1.0f))
      return who + " has risk tolerance outside [0, 1]";
    if (!(a.claim_strength[i] >= 0.0f && a.claim_strength[i] <= 1.0f))
      return who + " has claim strength outside [0, 1]";
    switch (a.status[i]) {
      case Status::kInTransit:
        if (a.edge[i] >= nedges) return who + " is in transit on no valid edge";
        if (m.edge_from[a.edge[i]] != a.node[i])
          return who + " travels an edge that does not leave its node";
        if (a.steps_left[i] == 0 ||
            a.steps_left[i] > longest_travel_steps(m.edge_travel_steps[a.edge[i]])) {
          return who + " has an impossible number of steps left on its edge";
        }
        if ((a.flags[i] & kWithSmuggler) &&
            (a.smuggler[i] >= m.network_count() || !m.network_covers(a.smuggler[i], a.edge[i]))) {
          return who + " travels with a network that does not cover its edge";
        }
        if (!(a.flags[i] & kWithSmuggler) &&
            m.edge_smuggler_rule[a.edge[i]] == SmugglerRule::kRequired) {
          return who + " travels alone on an edge that requires a smuggler";
        }
        break;
      case Status::kWaitingForSmuggler:
        if (a.edge[i] >= nedges || m.edge_from[a.edge[i]] != a.node[i])
          return who + " waits for no edge leaving its node";
        if (a.smuggler[i] >= m.network_count() || !m.network_covers(a.smuggler[i], a.edge[i])) {
          return who + " waits for a network that does not cover its edge";
        }
        break;
      case Status::kHeldAtCheckpoint:
        if (m.node_checkpoint[a.node[i]] == kNone)
          return who + " is held at a node with no checkpoint";
        break;
      case Status::kAtHome:
      case Status::kAspiring:
        if (a.node[i] != m.region_origin[a.region[i]])
          return who + " is at home but not at its origin";
        break;
      default:
        break;
    }
  }
  for (std::size_t k = 0; k < m.community_count(); ++k) {
    const Communities& c = s.communities;
    if (!(c.belief_success[k] >= 0.0f && c.belief_success[k] <= 1.0f) ||
        !(c.belief_danger[k] >= 0.0f && c.belief_danger[k] <= 1.0f)) {
      return "community " + std::to_string(k) + " has a belief outside [0, 1]";
    }
  }
  std::vector<std::int64_t> aware_in(m.community_count(), 0), home_in(m.community_count(), 0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    aware_in[a.community[i]] += (a.flags[i] & kRouteAware) != 0;
    home_in[a.community[i]] += a.status[i] == Status::kAtHome;
  }
  for (std::size_t k = 0; k < m.community_count(); ++k) {
    if (aware_in[k] != s.communities.aware[k]) {
      return "community " + std::to_string(k) + " counts " +
             std::to_string(s.communities.aware[k]) + " aware members but " +
             std::to_string(aware_in[k]) + " are flagged";
    }
    if (home_in[k] != s.communities.at_home[k]) {
      return "community " + std::to_string(k) + " counts " +
             std::to_string(s.communities.at_home[k]) + " members at home but " +
             std::to_string(home_in[k]) + " are";
    }
  }
  // The list of those who left home holds exactly the agents not at home, in order.
  const std::span<const std::uint32_t> left = s.left_home.agents();
  if (!std::is_sorted(left.begin(), left.end()) ||
      std::adjacent_find(left.begin(), left.end()) != left.end()) {
    return "the list of agents who left home is not strictly increasing";
  }
  std::size_t away = 0;
  for (std::size_t i = 0; i < a.size(); ++i) away += a.status[i] != Status::kAtHome;
  if (away != left.size()) {
    return std::to_string(away) + " agents are not at home but " + std::to_string(left.size()) +
           " are listed as having left";
  }
  for (const std::uint32_t i : left) {
    if (i >= a.size() || a.status[i] == Status::kAtHome) {
      return "agent " + std::to_string(i) + " is listed as having left home but is at home";
    }
  }
  if (aware != s.aware_total) {
    return "aware agents counted " + std::to_string(s.aware_total) + " but flagged " +
           std::to_string(aware);
  }
  for (std::size_t k = 0; k < m.network_count(); ++k) {
    const Smugglers& net = s.smugglers;
    if (!(net.capacity[k] >= 0.0 && net.capacity[k] <= s.policy.network_max_capacity[k] + 1e-9)) {
      return "network '" + m.network_name[k] + "' has capacity outside [0, max_capacity]";
    }
    if (!(net.fee_usd[k] >= s.policy.network_min_fee_usd[k] &&
          net.fee_usd[k] <= s.policy.network_max_fee_usd[k])) {
      return "network '" + m.network_name[k] + "' charges a fee outside [min_fee_usd, max_fee_usd]";
    }
    if (static_cast<double>(net.taken[k]) > std::ceil(net.intake_capacity[k])) {
      return "network '" + m.network_name[k] + "' took on " + std::to_string(net.taken[k]) +
             " clients, above its capacity";
    }
    if (!(net.reputation[k] >= 0.0 && net.reputation[k] <= 1.0)) {
      return "network '" + m.network_name[k] + "' has a reputation outside [0, 1]";
    }
  }
  for (std::size_t c = 0; c < m.checkpoint_count(); ++c) {
    if (static_cast<double>(s.checkpoint_screened[c]) >
        std::ceil(s.checkpoint_screening_capacity[c])) {
      return "checkpoint '" + m.checkpoint_name[c] + "' screened " +
             std::to_string(s.checkpoint_screened[c]) + " agents, above its capacity";
    }
  }
  return {};
}

}  // namespace migrasim
