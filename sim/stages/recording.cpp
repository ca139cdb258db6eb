// reads: agents.status, agents.node, tally, state.aware_total
// writes: recording (this step's row), tally (cleared for the next step)
//
// Recording: the step's flows, end-of-step stocks and levels. Series counted
// in agents are scaled to persons by persons_per_agent. Node stock counts agents
// held or waiting at a node or travelling on an edge that leaves it.
#include <array>

#include "parallel.hpp"
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
    if (status == Status::kInTransit || status == Status::kHeldAtCheckpoint ||
        status == Status::kWaitingForSmuggler) {
      ++node_stock[a.node[i]];
    }
  }
  s.status_counts = by_status;
  auto count = [&](Status st) { return by_status[static_cast<std::size_t>(st)]; };
  StepTally& tally = s.tally;
  tally.add(Series::kAtHome, count(Status::kAtHome));
  tally.add(Series::kInTransit, count(Status::kInTransit));
  tally.add(Series::kWaitingForSmuggler, count(Status::kWaitingForSmuggler));
  tally.add(Series::kHeldAtCheckpoints, count(Status::kHeldAtCheckpoint));
  tally.add(Series::kAsylumBacklog, count(Status::kInAsylumProcessing));
  tally.add(Series::kMeanRouteAwareness, static_cast<double>(s.aware_total) / m.agents);
  const double danger_sum = deterministic_sum(n, s.sum_scratch, [&](std::int64_t i) {
    return a.status[i] == Status::kAtHome ? static_cast<double>(a.perceived_danger[i]) : 0.0;
  });
  const auto at_home = count(Status::kAtHome);
  tally.add(Series::kMeanPerceivedDanger, at_home > 0 ? danger_sum / static_cast<double>(at_home) : 0.0);

  const double ppa = m.persons_per_agent;
  const auto steps = static_cast<std::size_t>(m.steps);
  const auto t = static_cast<std::size_t>(s.step);
  for (std::size_t k = 0; k < kSeriesCount; ++k) {
    s.recording.scalar[k * steps + t] = tally.value[k] * (series_info(k).counted_in_agents ? ppa : 1.0);
  }
  for (std::size_t node = 0; node < nnodes; ++node) {
    const std::size_t stock_at = (index(NodeSeries::kNodeStock) * steps + t) * nnodes + node;
    const std::size_t arrivals_at = (index(NodeSeries::kNodeArrivals) * steps + t) * nnodes + node;
    s.recording.node[stock_at] = static_cast<double>(node_stock[node]) * ppa;
    s.recording.node[arrivals_at] = static_cast<double>(tally.node_arrivals[node]) * ppa;
  }

  const std::size_t ninterventions = s.policy.activity.size();
  std::copy(s.policy.activity.begin(), s.policy.activity.end(),
            s.recording.intervention_activity.begin() + static_cast<long>(t * ninterventions));

  tally.value.fill(0.0);
  std::fill(tally.node_arrivals.begin(), tally.node_arrivals.end(), 0);
}

}  // namespace migrasim
