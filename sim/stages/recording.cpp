// reads: agents.status, agents.node, tally
// writes: recording (this step's row), tally (cleared for the next step)
//
// Recording: the step's flows and end-of-step stocks, scaled from agents to
// persons by persons_per_agent. Node stock counts agents held at a node or
// travelling on an edge that leaves it.
#include <array>

#include "stages/stages.hpp"

namespace migrasim {

void record_outputs(const Model& m, State& s) {
  const Agents& a = s.agents;
  const auto n = static_cast<std::int64_t>(a.size());
  const std::size_t nnodes = m.node_count();
  std::array<std::int64_t, kStatusCount> by_status{};
  std::int64_t* status_counts = by_status.data();
  std::int64_t* node_stock = s.node_stock_scratch.data();
  std::fill(node_stock, node_stock + nnodes, 0);

#pragma omp parallel for schedule(static) reduction(+ : status_counts[:kStatusCount]) \
    reduction(+ : node_stock[:nnodes])
  for (std::int64_t i = 0; i < n; ++i) {
    const Status status = a.status[i];
    ++status_counts[static_cast<std::size_t>(status)];
    if (status == Status::kInTransit || status == Status::kHeldAtCheckpoint) ++node_stock[a.node[i]];
  }

  const double scale = m.persons_per_agent;
  const auto steps = static_cast<std::size_t>(m.steps);
  const auto t = static_cast<std::size_t>(s.step);
  auto put = [&](std::size_t series, std::int64_t agents) {
    s.recording.scalar[series * steps + t] = static_cast<double>(agents) * scale;
  };
  for (std::size_t f = 0; f < kFlowCount; ++f) put(f, s.tally.flow[f]);
  auto count = [&](Status st) { return by_status[static_cast<std::size_t>(st)]; };
  put(scalar_index(Stock::kAtHome), count(Status::kAtHome));
  put(scalar_index(Stock::kInTransit), count(Status::kInTransit));
  put(scalar_index(Stock::kHeldAtCheckpoints), count(Status::kHeldAtCheckpoint));
  put(scalar_index(Stock::kAsylumBacklog), count(Status::kInAsylumProcessing));
  s.recording.scalar[scalar_index(Share::kRouteAwareness) * steps + t] =
      static_cast<double>(s.aware_total) / m.agents;

  for (std::size_t node = 0; node < nnodes; ++node) {
    const std::size_t stock_at = (static_cast<std::size_t>(NodeSeries::kNodeStock) * steps + t) * nnodes + node;
    const std::size_t arrivals_at =
        (static_cast<std::size_t>(NodeSeries::kNodeArrivals) * steps + t) * nnodes + node;
    s.recording.node[stock_at] = static_cast<double>(node_stock[node]) * scale;
    s.recording.node[arrivals_at] = static_cast<double>(s.tally.node_arrivals[node]) * scale;
  }
  s.status_counts = by_status;

  s.tally.flow.fill(0);
  std::fill(s.tally.node_arrivals.begin(), s.tally.node_arrivals.end(), 0);
}

}  // namespace migrasim
