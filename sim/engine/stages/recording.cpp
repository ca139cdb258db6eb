// reads: state.counts, agents.size(), communities (belief_danger, at_home), tally,
//        state.aware_total
// writes: recording (this step's row), tally (cleared for the next step), state.counts (folded),
//         state.status_counts
//         (reads also smugglers.capacity, smugglers.fee_usd for the network series)
//
// Recording: the step's flows, end-of-step stocks and levels. Series counted
// in agents are scaled to persons by persons_per_agent. Node stock counts agents
// held, detained or waiting at a node or travelling on an edge that leaves it.
#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "engine/agent_scan.hpp"
#include "engine/stages/stages.hpp"
#include "engine/status_change.hpp"
#include "util/parallel.hpp"

namespace migrasim {
namespace {

// The sum over agents at home of their perceived danger (their community's):
// members at home times their belief, community by community in a fixed
// order, the same for any number of threads and without a pass over them.
double danger_at_home(const Model& m, const State& s) {
  const Communities& c = s.communities;
  double total = 0.0;
  for (std::size_t k = 0; k < m.community_count(); ++k) {
    total += static_cast<double>(c.at_home[k]) * static_cast<double>(c.belief_danger[k]);
  }
  return total;
}

}  // namespace

void record_outputs(const Model& m, State& s) {
  const std::size_t nnodes = m.node_count();
  const std::size_t ncheckpoints = m.checkpoint_count();

  // Agents per status and per node, kept as they changed (status_change.hpp).
  fold_counts(s);
  const std::array<std::int64_t, kStatusCount>& by_status = s.counts.status;
  const std::int64_t* node_stock = s.counts.node_stock.data();
  s.status_counts = by_status;
  auto count = [&](Status st) { return by_status[static_cast<std::size_t>(st)]; };
  StepTally& tally = s.tally;
  tally.add(Series::kAtHome, count(Status::kAtHome));
  tally.add(Series::kInTransit, count(Status::kInTransit));
  tally.add(Series::kWaitingForSmuggler, count(Status::kWaitingForSmuggler));
  tally.add(Series::kHeldAtCheckpoints, count(Status::kHeldAtCheckpoint));
  tally.add(Series::kAsylumBacklog, count(Status::kInAsylumProcessing));
  tally.add(Series::kDetained, count(Status::kDetained));
  tally.add(Series::kMeanRouteAwareness, static_cast<double>(s.aware_total) / m.agents);
  const double danger_sum = danger_at_home(m, s);
  const auto at_home = count(Status::kAtHome);
  tally.add(Series::kMeanPerceivedDanger,
            at_home > 0 ? danger_sum / static_cast<double>(at_home) : 0.0);

  const double ppa = m.persons_per_agent;
  const auto steps = static_cast<std::size_t>(m.steps);
  const auto t = static_cast<std::size_t>(s.step);
  for (std::size_t k = 0; k < kSeriesCount; ++k) {
    s.recording.scalar[k * steps + t] =
        tally.value[k] * (series_info(k).counted_in_agents ? ppa : 1.0);
  }
  // The axis series' stocks, counted now; their flows were counted by the stages.
  auto& axis = tally.axis;
  for (std::size_t node = 0; node < nnodes; ++node) {
    axis[index(AxisSeries::kNodeStock)][node] = static_cast<double>(node_stock[node]);
    axis[index(AxisSeries::kNodeArrivals)][node] = static_cast<double>(tally.node_arrivals[node]);
  }
  for (std::size_t c = 0; c < ncheckpoints; ++c) {
    axis[index(AxisSeries::kCheckpointWaiting)][c] =
        static_cast<double>(s.counts.node_held[m.checkpoint_node[c]]);
  }
  for (std::size_t k = 0; k < m.network_count(); ++k) {
    // Capacity in persons per day, as a planner would quote it.
    axis[index(AxisSeries::kNetworkCapacity)][k] = s.smugglers.capacity[k] * ppa / m.step_days;
    axis[index(AxisSeries::kNetworkFeeUsd)][k] = s.smugglers.fee_usd[k];
  }
  for (std::size_t k = 0; k < kAxisSeriesCount; ++k) {
    const double scale = axis_series_info(static_cast<AxisSeries>(k)).counted_in_agents ? ppa : 1.0;
    const std::size_t length = axis[k].size();
    double* row = s.recording.axis[k].data() + t * length;
    for (std::size_t e = 0; e < length; ++e) row[e] = axis[k][e] * scale;
    std::fill(axis[k].begin(), axis[k].end(), 0.0);
  }

  const std::size_t ninterventions = s.policy.activity.size();
  std::copy(s.policy.activity.begin(), s.policy.activity.end(),
            s.recording.intervention_activity.begin() + static_cast<long>(t * ninterventions));

  tally.value.fill(0.0);
  std::fill(tally.node_arrivals.begin(), tally.node_arrivals.end(), 0);
}

}  // namespace migrasim
