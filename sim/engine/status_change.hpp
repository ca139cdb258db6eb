// Every change of an agent's status or node after it has left home goes
// through move_agent, which keeps State::counts (agents per status, and those
// on their way per node) without a pass over the agents. The decisions stage,
// which only gives aspirants new slots, is counted from the slots' growth.
#pragma once

#include <omp.h>

#include <cstdint>

#include "engine/state.hpp"

namespace migrasim {

// Statuses whose agents count in their node's stock (recording's node_stock):
// on the way and standing at, or travelling from, the node.
inline constexpr bool counts_at_node(Status s) {
  return s == Status::kWaitingForSmuggler || s == Status::kInTransit ||
         s == Status::kHeldAtCheckpoint || s == Status::kDetained;
}

// Agent i (who left home) is now in status `to` at `node`.
inline void move_agent(State& s, std::size_t i, Status to, NodeId node) {
  Agents& a = s.agents;
  const Status from = a.status[i];
  const NodeId at = a.node[i];
  AgentCounts::Changes& c = s.counts.changes[static_cast<std::size_t>(omp_get_thread_num())];
  --c.status[static_cast<std::size_t>(from)];
  ++c.status[static_cast<std::size_t>(to)];
  if (counts_at_node(from)) --c.node_stock()[at];
  if (counts_at_node(to)) ++c.node_stock()[node];
  if (from == Status::kHeldAtCheckpoint) --c.node_held()[at];
  if (to == Status::kHeldAtCheckpoint) ++c.node_held()[node];
  a.status[i] = to;
  a.node[i] = node;
}

// Agent i (who left home) is now in status `to`, where it stands.
inline void set_status(State& s, std::size_t i, Status to) {
  move_agent(s, i, to, s.agents.node[i]);
}

// Agents in status `st` now: the totals at the last fold, every thread's
// changes since, and the aspirants given slots since.
inline std::int64_t agents_in(const State& s, Status st) {
  const auto k = static_cast<std::size_t>(st);
  std::int64_t n = s.counts.status[k];
  for (const AgentCounts::Changes& c : s.counts.changes) n += c.status[k];
  const auto added = static_cast<std::int64_t>(s.agents.size() - s.counts.slots);
  if (st == Status::kAspiring) n += added;
  if (st == Status::kAtHome) n -= added;
  return n;
}

// Adds every thread's changes to the totals, and its departures to the tally
// (recording, once a step).
void fold_counts(State& s);

// Counts every agent from scratch (after the initial population is drawn).
void recount(const Model& m, State& s);

}  // namespace migrasim
