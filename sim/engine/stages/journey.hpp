// The journey from node to node, shared by movement (departing from an origin,
// passing a node, giving up on a smuggler), screening (moving on after a
// checkpoint), smuggling (a place with a network) and every stage where a
// journey ends: what happens at a node, and who hears of the outcome.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

#include "engine/state.hpp"
#include "engine/status_change.hpp"
#include "model/model.hpp"
#include "util/random.hpp"

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

// The queue of those waiting for `network` on `edge` (State::smuggler_queues):
// its position among model.edge_networks.
inline std::size_t smuggler_queue(const Model& m, EdgeId edge, NetworkId network) {
  std::uint32_t q = m.edge_first_network[edge];
  while (m.edge_networks[q] != network) ++q;
  return q;
}

// The edge of smuggler queue q.
inline EdgeId smuggler_queue_edge(const Model& m, std::size_t q) {
  return static_cast<EdgeId>(std::upper_bound(m.edge_first_network.begin(),
                                              m.edge_first_network.end(),
                                              static_cast<std::uint32_t>(q)) -
                             m.edge_first_network.begin() - 1);
}

// The asylum system hearing claims at `node`.
inline std::size_t asylum_queue(const Model& m, NodeId node) {
  return m.asylum_system_count() == 1 ? 0 : m.node_asylum_system[node];
}

// What setting out on `edge` costs: the edge's own cost, or where a smuggler
// is required the lowest fee among the networks covering it.
inline double edge_price_usd(const Model& m, const State& s, EdgeId edge) {
  if (m.edge_smuggler_rule[edge] != SmugglerRule::kRequired) return s.policy.edge_cost_usd[edge];
  double lowest = std::numeric_limits<double>::infinity();
  for (std::uint32_t k = m.edge_first_network[edge]; k < m.edge_first_network[edge + 1]; ++k) {
    lowest = std::min(lowest, s.smugglers.fee_usd[m.edge_networks[k]]);
  }
  return lowest;
}

// How traveller i, without the visa `node` requires of its region, fares
// trying to enter under a visa barrier (PolicyState::visa_barrier): refused
// with refusal_probability; a refused traveller gets in by overstaying another
// status with overstay_probability, else on falsified documents with
// fraud_probability. The three uniforms are drawn from a stream keyed by the
// traveller and the node, not the step: trying again on a later day meets the
// same outcome, and a stricter barrier refuses everyone a laxer one refused.
// Kept out of line: only travellers facing a barrier get here, and route
// choice, inlined into every stage that moves agents, stays small without it.
enum class VisaEntry : std::uint8_t { kAdmitted, kOverstay, kFraud, kRefused };
[[gnu::noinline]] inline VisaEntry visa_entry(const Model& m, const State& s, std::size_t i,
                                              RegionId region, NodeId node) {
  const VisaBarrier& b = s.policy.visa_barrier[region * m.node_count() + node];
  Draws draws(StreamKey{m.seed, s.replicate, node, StreamId::kVisaEntry},
              static_cast<std::uint32_t>(i));
  const double refused = draws.uniform(), overstay = draws.uniform(), fraud = draws.uniform();
  if (!(refused < b.refusal_probability)) return VisaEntry::kAdmitted;
  if (overstay < b.overstay_probability) return VisaEntry::kOverstay;
  if (fraud < b.fraud_probability) return VisaEntry::kFraud;
  return VisaEntry::kRefused;
}

// Whether traveller i from `region` may enter `node` under the visa rules in force.
inline bool may_enter(const Model& m, const State& s, std::size_t i, RegionId region, NodeId node) {
  const std::uint8_t rule = s.policy.visa_rule_at(region, node, m.node_count());
  if (rule == kVisaOpen) return true;
  if (rule == kVisaClosed) return false;
  return visa_entry(m, s, i, region, node) != VisaEntry::kRefused;
}

// The edge traveller i from `region` with `savings_usd` takes from `node` (one
// uniform draw), among the open edges into nodes it may enter under the visa rules
// in force (state.policy): by choice weight, weighted down by the cost of the rest of the way
// (edge_price_usd, then the cheapest onward cost) relative to max(100, savings)
// when route_cost_sensitivity > 0, falling back to the weights if every option
// is priced out. kNone if every edge is closed to it. A traveller refused at a
// node under a visa barrier chooses among the other ways, as if it had tried
// and been turned away (choosing again by weight among the rest is choosing by
// weight among the ways open to it).
inline EdgeId choose_edge(const Model& m, const State& s, std::size_t i, NodeId node,
                          float savings_usd, RegionId region, Draws& draws) {
  const EdgeId first = m.node_first_edge[node];
  const EdgeId last = m.node_first_edge[node + 1];
  const auto open_weight = [&](EdgeId e) {
    const bool open = !s.policy.edge_closed[e] && may_enter(m, s, i, region, m.edge_to[e]);
    return open ? s.policy.edge_choice_weight[e] : 0.0;
  };
  // One way on (most nodes of a corridor): it is taken if open, whatever its
  // cost; the uniform is drawn all the same, as below.
  if (last - first == 1) {
    if (!(open_weight(first) > 0.0)) return kNone;
    (void)draws.uniform();
    return first;
  }
  const double scale = m.route_cost_sensitivity / std::max(100.0, static_cast<double>(savings_usd));
  const auto weight = [&](EdgeId e, bool by_cost) {
    const double w = open_weight(e);
    if (!by_cost || w == 0.0) return w;
    return w * std::exp(-scale * (edge_price_usd(m, s, e) +
                                  s.policy.node_cost_to_destination[m.edge_to[e]]));
  };
  // Each way's weight computed once (up to kKept ways; further ones again).
  constexpr EdgeId kKept = 16;
  double kept[kKept];
  double total = 0.0;
  bool by_cost = m.route_cost_sensitivity > 0.0;
  for (EdgeId e = first; e < last; ++e) {
    const double w = weight(e, by_cost);
    if (e - first < kKept) kept[e - first] = w;
    total += w;
  }
  if (!(total > 0.0) && by_cost) {
    by_cost = false;
    total = 0.0;
    for (EdgeId e = first; e < last; ++e) {
      const double w = weight(e, by_cost);
      if (e - first < kKept) kept[e - first] = w;
      total += w;
    }
  }
  if (!(total > 0.0)) return kNone;
  double target = draws.uniform() * total;
  EdgeId chosen = kNone;
  for (EdgeId e = first; e < last; ++e) {
    const double w = e - first < kKept ? kept[e - first] : weight(e, by_cost);
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
    return s.smugglers.capacity[n] > 0.0
               ? s.smugglers.reputation[n] / std::max(1.0, s.smugglers.fee_usd[n])
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

// Counts an agent setting out on `edge`, in the calling thread's changes
// (folded into the tally by recording).
inline void count_departure(State& s, EdgeId edge) {
  ++s.counts.changes[static_cast<std::size_t>(omp_get_thread_num())].edge_departures()[edge];
}

// The death hazard per step of traveller i on `edge` in this step: the edge's,
// times its network's client_mortality_multiplier when it travels as a client.
inline double death_hazard(const State& s, std::size_t i, EdgeId edge) {
  const double hazard = s.policy.edge_death_hazard[edge];
  return (s.agents.flags[i] & kWithSmuggler)
             ? hazard * s.policy.network_mortality_multiplier[s.agents.smuggler[i]]
             : hazard;
}

// Files traveller i's next event on its edge in the transit calendar, given
// its movement visits from step `from` on and its arrival at the visit of step
// `arrival`. At each visit it dies with probability p = 1 - exp(-h) (h its
// death_hazard), before it would arrive; the number of visits it survives is
// geometric, P(more than k) = (1 - p)^k = exp(-k h), and is drawn as
// floor(E / h) with E = -log(U) exponential (one uniform U, drawn even when
// h = 0, so that the draws after it do not depend on h). Exact while h stays
// as it is; movement.cpp redraws when it changes (memoryless: the residual
// number of visits a traveller survives has the same law from any visit on).
inline void schedule_event(State& s, std::size_t i, std::int32_t from, std::int32_t arrival,
                           double hazard, Draws& draws) {
  Agents& a = s.agents;
  const double uniform = draws.uniform();
  std::int32_t due = arrival;
  std::uint16_t steps_left = 0;  // the event due is the arrival
  if (hazard > 0.0) {
    const double survived = std::floor(-std::log(uniform) / hazard);
    if (survived <= static_cast<double>(arrival - from)) {
      due = from + static_cast<std::int32_t>(survived);
      steps_left = static_cast<std::uint16_t>(arrival - due + 1);
    }
  }
  a.due_step[i] = due;
  a.steps_left[i] = steps_left;
  s.transit.file(due, static_cast<std::uint32_t>(i));
}

// The step at which traveller i arrives at its edge's end, if it lives.
inline std::int32_t arrival_step(const Agents& a, std::size_t i) {
  return a.steps_left[i] == 0 ? a.due_step[i] : a.due_step[i] + a.steps_left[i] - 1;
}

// Agent i sets out on `edge` now, in transit, and its first event is filed:
// its first movement visit is in this step if it sets out before the movement
// stage has visited this step's travellers, else in the next, and it arrives
// at its travel_steps-th visit.
inline void set_out(State& s, std::size_t i, EdgeId edge, Draws& draws) {
  Agents& a = s.agents;
  count_departure(s, edge);
  a.edge[i] = edge;
  if (a.status[i] != Status::kInTransit) {
    set_status(s, i, Status::kInTransit);
    a.status_step[i] = s.step;
  }
  const std::int32_t from = s.transit.next_visit_step;
  schedule_event(s, i, from, from + s.policy.edge_travel_steps[edge] - 1, death_hazard(s, i, edge),
                 draws);
}

// Starts agent i on `edge` without a smuggler: pays the edge's cost.
inline void travel_alone(State& s, std::size_t i, EdgeId edge, Draws& draws) {
  Agents& a = s.agents;
  a.savings_usd[i] -= static_cast<float>(s.policy.edge_cost_usd[edge]);
  a.flags[i] &= static_cast<std::uint8_t>(~kWithSmuggler);
  set_out(s, i, edge, draws);
}

// Starts agent i on `edge` as a client of its network (already paid for).
inline void travel_with_smuggler(State& s, std::size_t i, EdgeId edge, Draws& draws) {
  s.agents.flags[i] |= kWithSmuggler;
  set_out(s, i, edge, draws);
}

// Traveller i, about to set out for `node` under a visa barrier it got past:
// one who got in by overstaying or by fraud is counted at the node, and one
// who got in by fraud now carries falsified documents.
[[gnu::noinline]] inline void count_visa_entry(const Model& m, State& s, std::size_t i,
                                               NodeId node) {
  const VisaEntry entry = visa_entry(m, s, i, s.agents.region[i], node);
  if (entry == VisaEntry::kOverstay) {
#pragma omp atomic
    s.tally.axis[index(AxisSeries::kNodeOverstayEntries)][node] += 1.0;
  } else if (entry == VisaEntry::kFraud) {
    s.agents.flags[i] |= kFalsifiedDocuments;
#pragma omp atomic
    s.tally.axis[index(AxisSeries::kNodeFraudEntries)][node] += 1.0;
  }
}

// Agent i stands at `node` and is free to continue. At a destination its
// journey ends undetected. Elsewhere it picks an outgoing edge; where the edge
// takes a smuggler it goes on with its network if that network covers the edge,
// else waits for a place with one (always where a smuggler is required; where
// optional, if it can pay the fee and prefers to), else travels alone. Where
// visa rules close every way on, an aspirant at its origin stays put (returns
// false) and a traveller further on is turned back (returned). One who
// `seeks_smuggler` (an initial stock waiting for one) waits wherever a network
// covers the edge, whatever its fee and preference.
inline bool continue_journey(const Model& m, State& s, std::size_t i, NodeId node, Draws& draws,
                             bool seeks_smuggler = false) {
  Agents& a = s.agents;
  if (m.node_kind[node] == NodeKind::kDestination) {
    move_agent(s, i, Status::kEvaded, node);
    a.status_step[i] = s.step;
    a.edge[i] = kNone;
    report_outcome(s, i, Outcome::kArrival);
    return true;
  }
  if (a.node[i] != node) move_agent(s, i, a.status[i], node);
  const EdgeId edge = choose_edge(m, s, i, node, a.savings_usd[i], a.region[i], draws);
  if (edge != kNone &&
      s.policy.visa_rule_at(a.region[i], m.edge_to[edge], m.node_count()) == kVisaBarrier) {
    count_visa_entry(m, s, i, m.edge_to[edge]);
  }
  if (edge == kNone) {
    if (a.status[i] == Status::kAspiring) return false;
    set_status(s, i, Status::kReturned);
    a.status_step[i] = s.step;
    a.edge[i] = kNone;
#pragma omp atomic
    s.tally.value[index(Series::kReturned)] += 1.0;
    report_outcome(s, i, Outcome::kFailure);
    return true;
  }
  const SmugglerRule rule = m.edge_smuggler_rule[edge];
  if (rule == SmugglerRule::kNever) {
    travel_alone(s, i, edge, draws);
    return true;
  }
  if (a.smuggler[i] != kNone && m.network_covers(a.smuggler[i], edge)) {
    travel_with_smuggler(s, i, edge, draws);
    return true;
  }
  NetworkId network = choose_network(m, s, edge, draws);
  // Where a smuggler is required, wait even for a network with no places now.
  if (network == kNone && (rule == SmugglerRule::kRequired || seeks_smuggler) &&
      m.edge_first_network[edge] < m.edge_first_network[edge + 1]) {
    network = m.edge_networks[m.edge_first_network[edge]];
  }
  const bool seek = network != kNone && (rule == SmugglerRule::kRequired || seeks_smuggler ||
                                         (a.savings_usd[i] >= s.smugglers.fee_usd[network] &&
                                          draws.bernoulli(m.smuggler_preference)));
  if (!seek) {
    travel_alone(s, i, edge, draws);
    return true;
  }
  a.edge[i] = edge;
  a.smuggler[i] = network;
  a.flags[i] &= static_cast<std::uint8_t>(~(kWithSmuggler | kMayGoAlone));
  // Only those who may give up waiting are visited by the movement stage.
  if (rule == SmugglerRule::kOptional) a.flags[i] |= kMayGoAlone;
  set_status(s, i, Status::kWaitingForSmuggler);
  a.status_step[i] = s.step;
  s.smuggler_queues.join(static_cast<std::size_t>(omp_get_thread_num()),
                         static_cast<std::uint32_t>(i), s.step, smuggler_queue(m, edge, network));
  return true;
}

// Agent i of an initial stock, standing at its node before its first step (in
// transit with no edge yet): it goes on as a traveller arriving there would,
// past the node's checkpoint (it is already in the country), or where its
// stock waits for a smuggler it queues on the edge it chooses.
[[gnu::noinline]] inline void start_initial_stock(const Model& m, State& s, std::size_t i,
                                                  Draws& draws) {
  const auto& firsts = m.stock_first_agent;
  const auto k = static_cast<std::size_t>(
      std::upper_bound(firsts.begin(), firsts.end(), s.agents.home[i]) - firsts.begin() - 1);
  continue_journey(m, s, i, s.agents.node[i], draws,
                   m.stock_status[k] == StockStatus::kWaitingForSmuggler);
}

// The legal pathway aspirant i may apply to in this step (the first in file
// order that is open, admits its region and its claim, and which it knows of),
// or kNone.
inline std::uint16_t eligible_pathway(const Model& m, const State& s, std::size_t i) {
  const Agents& a = s.agents;
  if (!(a.flags[i] & kLegalAware)) return kNone;
  for (std::size_t p = 0; p < m.pathway_count(); ++p) {
    if (s.policy.pathway_open[p] && m.pathway_region_allowed[p * m.region_count() + a.region[i]] &&
        a.claim_strength[i] >= s.policy.pathway_min_claim_strength[p]) {
      return static_cast<std::uint16_t>(p);
    }
  }
  return kNone;
}

}  // namespace migrasim
