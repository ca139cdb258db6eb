#include "engine/status_change.hpp"

#include <algorithm>

namespace migrasim {

void fold_counts(State& s) {
  AgentCounts& counts = s.counts;
  const std::size_t nnodes = counts.node_stock.size();
  for (AgentCounts::Changes& c : counts.changes) {
    for (std::size_t k = 0; k < kStatusCount; ++k) counts.status[k] += c.status[k];
    for (std::size_t n = 0; n < nnodes; ++n) {
      counts.node_stock[n] += c.node_stock()[n];
      counts.node_held[n] += c.node_held()[n];
    }
    std::vector<double>& departures = s.tally.axis[index(AxisSeries::kEdgeDepartures)];
    for (std::size_t e = 0; e < departures.size(); ++e) {
      departures[e] += static_cast<double>(c.edge_departures()[e]);
    }
    c.status.fill(0);
    std::fill(c.padded.begin(), c.padded.end(), 0);
  }
  const auto added = static_cast<std::int64_t>(s.agents.size() - counts.slots);
  counts.status[static_cast<std::size_t>(Status::kAspiring)] += added;
  counts.status[static_cast<std::size_t>(Status::kAtHome)] -= added;
  counts.slots = s.agents.size();
}

void recount(const Model& m, State& s) {
  AgentCounts& counts = s.counts;
  const Agents& a = s.agents;
  const std::size_t nnodes = m.node_count();
  counts.changes.resize(s.leavers.threads());
  for (AgentCounts::Changes& c : counts.changes) {
    c.status.fill(0);
    c.allocate(nnodes, m.edge_count());
  }
  counts.status.fill(0);
  counts.node_stock.assign(nnodes, 0);
  counts.node_held.assign(nnodes, 0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    ++counts.status[static_cast<std::size_t>(a.status[i])];
    if (counts_at_node(a.status[i])) ++counts.node_stock[a.node[i]];
    if (a.status[i] == Status::kHeldAtCheckpoint) ++counts.node_held[a.node[i]];
  }
  counts.status[static_cast<std::size_t>(Status::kAtHome)] =
      static_cast<std::int64_t>(m.agents) - static_cast<std::int64_t>(a.size());
  counts.slots = a.size();
}

}  // namespace migrasim
