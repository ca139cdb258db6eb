// Setting out on the next edge of the route, shared by movement (departing from
// an origin, passing a node) and screening (moving on after a checkpoint).
#pragma once

#include <algorithm>
#include <cmath>
#include <span>

#include "model.hpp"
#include "random.hpp"
#include "state.hpp"

namespace migrasim {

// An outcome its community hears of (see the information stage). Events are
// rare next to agents, so atomic integer adds cost little and stay exact.
inline void tell_community(std::vector<std::int64_t>& counts, CommunityId community) {
#pragma omp atomic
  ++counts[community];
}

// The edge an agent with `savings_usd` takes from `node` (one uniform draw):
// by choice weight alone, or weighted down by the cost of the rest of the way
// relative to what the agent has left (see DecisionSpec).
inline EdgeId choose_edge(const Model& m, NodeId node, float savings_usd, Draws& draws) {
  const EdgeId first = m.node_first_edge[node];
  const EdgeId last = m.node_first_edge[node + 1];
  if (m.route_cost_sensitivity == 0.0 || last - first == 1) {
    const std::span<const double> weights(m.edge_choice_weight.data() + first, last - first);
    return static_cast<EdgeId>(first + draws.categorical(weights, m.node_choice_total[node]));
  }
  // Savings floor: an agent with nothing left still weighs costs, steeply.
  const double scale = m.route_cost_sensitivity / std::max(100.0, static_cast<double>(savings_usd));
  const auto weight = [&](EdgeId e) {
    const double cost = m.edge_cost_usd[e] + m.node_cost_to_destination[m.edge_to[e]];
    return m.edge_choice_weight[e] * std::exp(-scale * cost);
  };
  double total = 0.0;
  for (EdgeId e = first; e < last; ++e) total += weight(e);
  if (!(total > 0.0)) {  // every option priced out of reach: fall back to the weights
    const std::span<const double> weights(m.edge_choice_weight.data() + first, last - first);
    return static_cast<EdgeId>(first + draws.categorical(weights, m.node_choice_total[node]));
  }
  double target = draws.uniform() * total;
  EdgeId chosen = first;
  for (EdgeId e = first; e < last; ++e) {
    const double w = weight(e);
    if (w <= 0.0) continue;
    chosen = e;
    if (target < w) break;
    target -= w;
  }
  return chosen;
}

// Agent i stands at `node` and is free to continue. At a destination its
// journey ends undetected (its community hears of an arrival); elsewhere it
// picks an outgoing edge by choice weight (one uniform draw), pays the edge's
// cost and starts travelling.
inline void continue_journey(const Model& m, State& s, std::size_t i, NodeId node, Draws& draws) {
  Agents& a = s.agents;
  const std::int32_t step = s.step;
  a.node[i] = node;
  if (m.node_kind[node] == NodeKind::kDestination) {
    a.status[i] = Status::kEvaded;
    a.status_step[i] = step;
    a.edge[i] = kNone;
    tell_community(s.communities.arrivals, a.community[i]);
    return;
  }
  const EdgeId edge = choose_edge(m, node, a.savings_usd[i], draws);
  a.edge[i] = edge;
  a.steps_left[i] = m.edge_travel_steps[edge];
  a.savings_usd[i] -= static_cast<float>(m.edge_cost_usd[edge]);
  if (a.status[i] != Status::kInTransit) {
    a.status[i] = Status::kInTransit;
    a.status_step[i] = step;
  }
}

}  // namespace migrasim
