// Levers aimed at places: route measures (closure, mortality, cost, travel
// time) on edges, and task forces against whoever smuggles at a node.
#include <gtest/gtest.h>

#include <numeric>
#include <string>

#include "engine_support.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

using testing::one_region_head;
using testing::Result;
using testing::run_scenario_text;

// From the coast two sea routes reach the island; the desert leg is smuggled
// by one network, the western crossing by another.
std::string sea(const std::string& interventions) {
  return one_region_head("2023-06-30") + R"(
route:
  nodes:
    - {name: home, kind: origin}
    - {name: hub, kind: transit}
    - {name: coast, kind: transit}
    - {name: island, kind: destination}
  edges:
    - {from: home, to: hub, travel_days: 1}
    - {from: hub, to: coast, travel_days: 3, smuggler: required}
    - {from: coast, to: island, travel_days: 2, mortality_per_day: 0.01, cost_usd: 500}
    - {from: hub, to: island, travel_days: 6, mortality_per_day: 0.005, smuggler: optional}
smugglers:
  - {name: desert_ring, covers: [[hub, coast]], capacity_per_day: 200, fee_usd: 1000}
  - {name: west_ring, covers: [[hub, island]], capacity_per_day: 200, fee_usd: 2000}
)" + (interventions.empty() ? std::string() : "interventions:\n" + interventions);
}

constexpr std::int32_t kMarch = 59;  // 2023-03-01
constexpr std::int32_t kMay = 120;   // 2023-05-01

// Sum of an edge series over steps [from, to) on the edge `label`.
double on_edge(const Result& r, AxisSeries series, const std::string& label, std::int32_t from,
               std::int32_t to) {
  std::size_t e = 0;
  while (edge_label(r.m, e) != label) ++e;
  const std::size_t nedges = r.m.edge_count();
  double sum = 0.0;
  for (auto t = static_cast<std::size_t>(from); t < static_cast<std::size_t>(to); ++t)
    sum += r.r.axis[index(series)][t * nedges + e];
  return sum;
}

double in_network(const Result& r, AxisSeries series, std::size_t network) {
  const auto& v = r.r.axis[index(series)];
  double sum = 0.0;
  for (std::size_t k = network; k < v.size(); k += r.m.network_count()) sum += v[k];
  return sum;
}

TEST(RouteMeasure, AClosedEdgeIsNotTravelledWhileClosed) {
  const Result r = run_scenario_text(sea(R"(
  - {type: route_measure, name: naval_blockade, edges: [[coast, island]], closed: true,
     start: 2023-03-01, end: 2023-04-30}
)"));
  EXPECT_GT(on_edge(r, AxisSeries::kEdgeDepartures, "coast->island", 0, kMarch), 0.0);
  EXPECT_EQ(on_edge(r, AxisSeries::kEdgeDepartures, "coast->island", kMarch, kMay), 0.0);
  EXPECT_GT(on_edge(r, AxisSeries::kEdgeDepartures, "coast->island", kMay, r.m.steps), 0.0);
  // Those who reach the coast while no way on is open are turned back.
  const Result open = run_scenario_text(sea(""));
  EXPECT_EQ(open.total(Series::kReturned), 0.0);
  EXPECT_GT(r.total_from(Series::kReturned, kMarch) - r.total_from(Series::kReturned, kMay), 0.0);
  EXPECT_EQ(r.total_from(Series::kReturned, kMay), 0.0);
}

TEST(RouteMeasure, SearchAndRescueCutsDeathsOnItsEdgeOnly) {
  const Result r = run_scenario_text(sea(R"(
  - {type: route_measure, name: rescue, edges: [[coast, island]], mortality_multiplier: 0,
     start: 2023-03-01, end: 2023-04-30}
)"));
  EXPECT_GT(on_edge(r, AxisSeries::kEdgeDeaths, "coast->island", 0, kMarch), 0.0);
  EXPECT_EQ(on_edge(r, AxisSeries::kEdgeDeaths, "coast->island", kMarch, kMay), 0.0);
  EXPECT_GT(on_edge(r, AxisSeries::kEdgeDeaths, "hub->island", kMarch, kMay), 0.0);
}

TEST(RouteMeasure, WithNoEffectChangesNothing) {
  const Result base = run_scenario_text(sea(""));
  const Result noop = run_scenario_text(sea(R"(
  - {type: route_measure, name: nothing, nodes: [hub, coast], start: 2023-03-01}
)"));
  EXPECT_EQ(base.r.scalar, noop.r.scalar);
  EXPECT_EQ(base.r.axis, noop.r.axis);
}

TEST(RouteMeasure, TravelTimeAndCostMultipliersApplyToThoseSettingOut) {
  const Result slow = run_scenario_text(sea(R"(
  - {type: route_measure, name: detours, edges: [[coast, island]], travel_time_multiplier: 3,
     cost_multiplier: 2, start: 2023-01-01}
)"));
  const Result base = run_scenario_text(sea(""));
  // Three times as long on the edge: more deaths per crossing at the same hazard.
  const double rate_slow =
      on_edge(slow, AxisSeries::kEdgeDeaths, "coast->island", 0, slow.m.steps) /
      on_edge(slow, AxisSeries::kEdgeDepartures, "coast->island", 0, slow.m.steps);
  const double rate_base =
      on_edge(base, AxisSeries::kEdgeDeaths, "coast->island", 0, base.m.steps) /
      on_edge(base, AxisSeries::kEdgeDepartures, "coast->island", 0, base.m.steps);
  EXPECT_NEAR(rate_slow, -std::expm1(-0.06), 0.01);
  EXPECT_NEAR(rate_base, -std::expm1(-0.02), 0.01);
}

TEST(TaskForce, AimedAtANodeHitsOnlyTheNetworksSellingPassageThere) {
  const Result base = run_scenario_text(sea(""));
  const Result hit = run_scenario_text(sea(R"(
  - {type: smuggling_task_force, name: coastal_raids, nodes: [coast], arrest_rate_per_day: 0.2,
     start: 2023-02-01}
)"));
  // desert_ring covers hub -> coast: it loses capacity; west_ring is untouched.
  EXPECT_LT(in_network(hit, AxisSeries::kNetworkCapacity, 0),
            0.5 * in_network(base, AxisSeries::kNetworkCapacity, 0));
  EXPECT_EQ(in_network(hit, AxisSeries::kNetworkCapacity, 1) > 0.0, true);
}

TEST(RouteMeasure, TargetsMustExist) {
  EXPECT_THROW(run_scenario_text(sea(R"(
  - {type: route_measure, name: x, edges: [[coast, hub]], closed: true, start: 2023-03-01}
)")),
               InputError);
  EXPECT_THROW(run_scenario_text(sea(R"(
  - {type: route_measure, name: x, closed: true, start: 2023-03-01}
)")),
               InputError);
}

}  // namespace
}  // namespace migrasim
