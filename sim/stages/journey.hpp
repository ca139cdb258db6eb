// The journey from node to node, shared by movement (departing from an origin,
// passing a node, giving up on a smuggler), screening (moving on after a
// checkpoint), smuggling (a place with a network) and every stage where a
// journey ends: what happens at a node, and who hears of the outcome.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>

#include "model.hpp"
#include "random.hpp"
#include "state.hpp"

namespace migrasim {

enum class Outcome : std::uint8_t {
  kArrival,  // reached a destination undetected, or claimed asylum at a checkpoint
  kFailure,  // returned, or removed after a denied claim
  kDeath,
};

// Tells the agent's community and its smuggling network (if any) how its
// journey ended; the feedback and market stages read these counts. Outcomes are
// rare next to agents, so atomic integer adds cost little and stay exact.
inline void report_outcome(State& s, std::size_t i, Outcome outcome) {
  const Agents& a = s.agents;
  Communities& c = s.communities;
  const CommunityId community = a.community[i];
  switch (outcome) {
    case Outcome::kArrival:
#pragma omp atomic
      ++c.arrivals[community];
      if (a.flags[i] & kCoerced) {
#pragma omp atomic
        s.tally.value[index(Series::kCoercedArrivals)] += 1.0;
      }
      break;
    case Outcome::kFailure:
#pragma omp atomic
      ++c.failures[community];
      break;
    case Outcome::kDeath:
#pragma omp atomic
      ++c.deaths[community];
      break;
  }
  if (const NetworkId network = a.smuggler[i]; network != kNone) {
    if (outcome == Outcome::kArrival) {
#pragma omp atomic
      ++s.smugglers.successes[network];
    } else {
#pragma omp atomic
      ++s.smugglers.failures[network];
    }
  }
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

// A network covering `edge`, drawn with weight reputation / fee (one uniform
// draw); kNone when no network covers it or none has capacity.
inline NetworkId choose_network(const Model& m, const State& s, EdgeId edge, Draws& draws) {
  const std::uint32_t first = m.edge_first_network[edge];
  const std::uint32_t last = m.edge_first_network[edge + 1];
  if (first == last) return kNone;
  const auto weight = [&](std::uint32_t k) {
    const NetworkId n = m.edge_networks[k];
    return s.smugglers.capacity[n] > 0.0 ? s.smugglers.reputation[n] / std::max(1.0, s.smugglers.fee_usd[n])
                                         : 0.0;
  };
  double total = 0.0;
  for (std::uint32_t k = first; k < last; ++k) total += weight(k);
  if (!(total > 0.0)) return kNone;
  double target = draws.uniform() * total;
  NetworkId chosen = kNone;
  for (std::uint32_t k = first; k < last; ++k) {
    const double w = weight(k);
    if (w <= 0.0) continue;
    chosen = m.edge_networks[k];
    if (target < w) break;
    target -= w;
  }
  return chosen;
}

// Starts agent i on `edge` without a smuggler: pays the edge's cost.
inline void travel_alone(const Model& m, State& s, std::size_t i, EdgeId edge) {
  Agents& a = s.agents;
  a.edge[i] = edge;
  a.steps_left[i] = m.edge_travel_steps[edge];
  a.savings_usd[i] -= static_cast<float>(m.edge_cost_usd[edge]);
  a.flags[i] &= static_cast<std::uint8_t>(~kWithSmuggler);
  if (a.status[i] != Status::kInTransit) {
    a.status[i] = Status::kInTransit;
    a.status_step[i] = s.step;
  }
}

// Starts agent i on `edge` as a client of its network (already paid for).
inline void travel_with_smuggler(const Model& m, State& s, std::size_t i, EdgeId edge) {
  Agents& a = s.agents;
  a.edge[i] = edge;
  a.steps_left[i] = m.edge_travel_steps[edge];
  a.flags[i] |= kWithSmuggler;
  if (a.status[i] != Status::kInTransit) {
    a.status[i] = Status::kInTransit;
    a.status_step[i] = s.step;
  }
}

// Agent i stands at `node` and is free to continue. At a destination its
// journey ends undetected. Elsewhere it picks an outgoing edge; where the edge
// takes a smuggler it goes on with its network if that network covers the edge,
// else waits for a place with one (always where a smuggler is required; where
// optional, if it can pay the fee and prefers to), else travels alone.
inline void continue_journey(const Model& m, State& s, std::size_t i, NodeId node, Draws& draws) {
  Agents& a = s.agents;
  a.node[i] = node;
  if (m.node_kind[node] == NodeKind::kDestination) {
    a.status[i] = Status::kEvaded;
    a.status_step[i] = s.step;
    a.edge[i] = kNone;
    report_outcome(s, i, Outcome::kArrival);
    return;
  }
  const EdgeId edge = choose_edge(m, node, a.savings_usd[i], draws);
  const SmugglerRule rule = m.edge_smuggler_rule[edge];
  if (rule == SmugglerRule::kNone) return travel_alone(m, s, i, edge);
  if (a.smuggler[i] != kNone && m.network_covers(a.smuggler[i], edge)) {
    return travel_with_smuggler(m, s, i, edge);
  }
  NetworkId network = choose_network(m, s, edge, draws);
  // Where a smuggler is required, wait even for a network with no places now.
  if (network == kNone && rule == SmugglerRule::kRequired) network = m.edge_networks[m.edge_first_network[edge]];
  const bool seek = network != kNone &&
                    (rule == SmugglerRule::kRequired ||
                     (a.savings_usd[i] >= s.smugglers.fee_usd[network] && draws.bernoulli(m.smuggler_preference)));
  if (!seek) return travel_alone(m, s, i, edge);
  a.edge[i] = edge;
  a.smuggler[i] = network;
  a.flags[i] &= static_cast<std::uint8_t>(~kWithSmuggler);
  a.status[i] = Status::kWaitingForSmuggler;
  a.status_step[i] = s.step;
}

}  // namespace migrasim
