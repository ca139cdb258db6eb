// The series with their own axis (node, edge, checkpoint, network) add up to
// the corridor-wide totals, and a traveller who hires two networks is one
// smuggled departure.
#include <gtest/gtest.h>

#include <numeric>
#include <string>

#include "engine_support.hpp"

namespace migrasim {
namespace {

using testing::Result;
using testing::run_scenario_text;

// Two smuggled legs in a row, each sold by its own network, and two checkpoints.
const char* kTwoNetworks = R"(
time: {start: 2023-01-01, end: 2023-04-30}
population: {agents: 20000, persons_per_agent: 3}
regions:
  - {name: inland, population_share: 1, origin: home, push_factors: {economic_hardship: 0, repression: 0}}
communities: {count: 10}
decisions: {base_rate_per_day: 0.01}
route:
  nodes:
    - {name: home, kind: origin}
    - {name: desert, kind: transit}
    - {name: coast, kind: transit}
    - {name: border, kind: border}
    - {name: abroad, kind: destination}
  edges:
    - {from: home, to: desert, travel_days: 2, smuggler: required, mortality_per_day: 0.002}
    - {from: desert, to: coast, travel_days: 3, smuggler: required, mortality_per_day: 0.004}
    - {from: coast, to: border, travel_days: 1}
    - {from: border, to: abroad, travel_days: 1}
smugglers:
  - {name: desert_ring, covers: [[home, desert]], capacity_per_day: 300, fee_usd: 800}
  - {name: sea_ring, covers: [[desert, coast]], capacity_per_day: 200, fee_usd: 1500}
checkpoints:
  - {name: coast_guard, node: coast, detection_probability: 0.2, asylum_claim_probability: 0.3}
  - {name: patrol, node: border, detection_probability: 0.6, throughput_per_day: 150,
     asylum_claim_probability: 0.7}
)";

// Sum over the whole run and over the axis of an axis series.
double total(const Result& r, AxisSeries series) {
  const auto& v = r.r.axis[index(series)];
  return std::accumulate(v.begin(), v.end(), 0.0);
}

// Per step, the sum over the axis of an axis series equals `scalar`.
void expect_adds_up(const Result& r, AxisSeries series, Series scalar) {
  const auto steps = static_cast<std::size_t>(r.m.steps);
  const auto& v = r.r.axis[index(series)];
  const std::size_t length = v.size() / steps;
  const auto totals = r.series(scalar);
  for (std::size_t t = 0; t < steps; ++t) {
    double sum = 0.0;
    for (std::size_t k = 0; k < length; ++k) sum += v[t * length + k];
    ASSERT_EQ(sum, totals[t]) << axis_series_info(series).name << " at step " << t;
  }
}

TEST(Recording, AxisSeriesAddUpToTheTotals) {
  const Result r = run_scenario_text(kTwoNetworks);
  ASSERT_GT(r.total(Series::kDeaths), 0.0);
  ASSERT_GT(r.total(Series::kApprehensions), 0.0);
  expect_adds_up(r, AxisSeries::kEdgeDeaths, Series::kDeaths);
  expect_adds_up(r, AxisSeries::kCheckpointApprehensions, Series::kApprehensions);
  expect_adds_up(r, AxisSeries::kCheckpointAsylumClaims, Series::kAsylumClaims);
  expect_adds_up(r, AxisSeries::kCheckpointEvaded, Series::kEvaded);
  expect_adds_up(r, AxisSeries::kCheckpointWaiting, Series::kHeldAtCheckpoints);
  expect_adds_up(r, AxisSeries::kNetworkRevenueUsd, Series::kSmugglerRevenueUsd);
  // Returns at checkpoints are the corridor's returns (no visa rule turns anyone back).
  expect_adds_up(r, AxisSeries::kCheckpointReturned, Series::kReturned);
  // Every departure from the origin is onto its one edge.
  EXPECT_EQ(r.r.axis[index(AxisSeries::kEdgeDepartures)].size(),
            static_cast<std::size_t>(r.m.steps) * 4);
}

TEST(Recording, ATravellerWhoHiresTwoNetworksIsOneSmuggledDeparture) {
  const Result r = run_scenario_text(kTwoNetworks);
  // Everyone leaves with the desert ring; those who live to reach the desert
  // hire the sea ring too. Each is one smuggled departure, counted when first hired.
  const double desert_clients = [&] {
    const auto& v = r.r.axis[index(AxisSeries::kNetworkClients)];
    double sum = 0.0;
    for (std::size_t k = 0; k < v.size(); k += 2) sum += v[k];
    return sum;
  }();
  const double all_clients = total(r, AxisSeries::kNetworkClients);
  ASSERT_GT(all_clients - desert_clients, 0.0);
  EXPECT_EQ(r.total(Series::kSmuggledDepartures), desert_clients);
  EXPECT_LE(r.total(Series::kSmuggledDepartures), r.total(Series::kDepartures) + 1e-9);
}

}  // namespace
}  // namespace migrasim
