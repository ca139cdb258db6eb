#include <gtest/gtest.h>

#include <cmath>

#include "model/model.hpp"
#include "test_support.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

using testing::tiny_scenario_yaml;
using testing::tiny_with;

Model compile_text(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return compile(parse_scenario(text, "tiny.yaml", overrides));
}

std::string compile_error(const std::string& text) {
  try {
    compile_text(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Model, CountsStepsFromStartToEndInclusive) {
  const Model m = compile_text(tiny_scenario_yaml());
  EXPECT_EQ(m.steps, 60);  // Jan 31 + Feb 28 + Mar 1
  EXPECT_EQ(compile_text(tiny_scenario_yaml(), {"time.step_days=7"}).steps, 9);  // ceil(60 / 7)
  EXPECT_EQ(m.day_of_step(1), parse_date("2022-01-02")->days_since_epoch);
}

TEST(Model, TurnsRatesPerDayIntoProbabilitiesPerStep) {
  const Model daily = compile_text(tiny_scenario_yaml());
  const Model weekly = compile_text(tiny_scenario_yaml(), {"time.step_days=7"});
  // Edge hub->jungle (file order 1) has mortality 0.001 per day.
  const auto jungle = [](const Model& m) {
    for (std::size_t e = 0; e < m.edge_count(); ++e) {
      if (m.node_name[m.edge_to[e]] == "jungle") return e;
    }
    return std::size_t{0};
  };
  EXPECT_DOUBLE_EQ(daily.edge_death_probability[jungle(daily)].at(0), -std::expm1(-0.001));
  EXPECT_DOUBLE_EQ(weekly.edge_death_probability[jungle(weekly)].at(0), -std::expm1(-0.007));
  EXPECT_EQ(daily.edge_travel_steps[jungle(daily)].at(0), 4);
  EXPECT_EQ(weekly.edge_travel_steps[jungle(weekly)].at(0), 1);  // at least one step
  EXPECT_DOUBLE_EQ(daily.decision_base_hazard, 0.002);
  EXPECT_DOUBLE_EQ(weekly.decision_base_hazard, 0.014);
  // Capacities in persons per day become agents per step.
  EXPECT_DOUBLE_EQ(daily.checkpoint_capacity_agents[0].at(0), 40.0 / 2);
  EXPECT_DOUBLE_EQ(weekly.asylum_capacity_agents[0].at(0), 10.0 * 7 / 2);
  EXPECT_EQ(weekly.asylum_min_processing_steps[0].at(0), 1);
  EXPECT_TRUE(std::isinf(compile_text(tiny_with("    throughput_per_day: 40\n", ""))
                             .checkpoint_capacity_agents[0]
                             .at(0)));
}

TEST(Model, BuildsTheRouteGraphWithOutgoingEdgeRanges) {
  const Model m = compile_text(tiny_scenario_yaml());
  ASSERT_EQ(m.node_count(), 6u);
  ASSERT_EQ(m.edge_count(), 6u);
  for (std::size_t n = 0; n < m.node_count(); ++n) {
    for (EdgeId e = m.node_first_edge[n]; e < m.node_first_edge[n + 1]; ++e) {
      EXPECT_EQ(m.edge_from[e], n);
    }
  }
  const NodeId hub = 1;
  EXPECT_EQ(m.node_first_edge[hub + 1] - m.node_first_edge[hub], 2);
  EXPECT_EQ(m.node_checkpoint[4], 0);
  EXPECT_EQ(m.node_checkpoint[1], kNone);
}

TEST(Model, SplitsAgentsBetweenRegionsExactly) {
  const Model m = compile_text(tiny_with("agents: 4000", "agents: 4001"));
  EXPECT_EQ(m.region_first_agent, (std::vector<std::uint32_t>{0, 3001, 4001}));
}

TEST(Model, InterpolatesSeriesLinearlyAndHoldsTheEnds) {
  TimeSeriesSpec series{{*parse_date("2022-01-01"), *parse_date("2022-01-11")}, {0.2, 0.7}};
  const double d0 = parse_date("2022-01-01")->days_since_epoch;
  EXPECT_DOUBLE_EQ(interpolate(series, d0 - 100), 0.2);
  EXPECT_DOUBLE_EQ(interpolate(series, d0 + 4), 0.4);
  EXPECT_DOUBLE_EQ(interpolate(series, d0 + 10), 0.7);
  EXPECT_DOUBLE_EQ(interpolate(series, d0 + 1000), 0.7);
}

TEST(Model, UnknownNodeInAnEdgeNamesTheLineAndTheKnownNodes) {
  const std::string text = tiny_with("{from: jungle, to: border", "{from: jungle, to: bordr");
  const std::size_t at = text.find("bordr");
  const std::size_t line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(at), '\n');
  const std::size_t column = at - text.rfind('\n', at);
  EXPECT_EQ(compile_error(text),
            "tiny.yaml:" + std::to_string(line) + ":" + std::to_string(column) +
                ": route.edges[3].to: unknown node 'bordr'; known nodes: border, "
                "home, hub, jungle, north_land, road");
}

TEST(Model, RouteGraphMustLeadFromOriginsToDestinations) {
  EXPECT_NE(compile_error(tiny_with("    - {from: road, to: border, travel_days: 2}\n", ""))
                .find("node 'road' has no outgoing edge"),
            std::string::npos);
  EXPECT_NE(compile_error(tiny_with("{from: road, to: border", "{from: road, to: hub"))
                .find("route.edges[4]: this edge closes a cycle through 'hub'"),
            std::string::npos);
  EXPECT_NE(compile_error(tiny_with("    - {from: home, to: hub, travel_days: 2, cost_usd: 500}\n",
                                    "    - {from: home, to: north_land, travel_days: 2}\n"))
                .find("node 'hub' cannot be reached from any origin node"),
            std::string::npos);
  EXPECT_NE(compile_error(tiny_with("origin: home\n    push", "origin: hub\n    push"))
                .find("regions[0].origin: 'hub' is a transit node"),
            std::string::npos);
  EXPECT_NE(compile_error(tiny_with("{name: road, kind: transit}", "{name: hub, kind: transit}"))
                .find("a node named 'hub' is already defined"),
            std::string::npos);
  EXPECT_NE(compile_error(tiny_with("node: border", "node: home"))
                .find("checkpoints cannot stand at origin"),
            std::string::npos);
}

}  // namespace
}  // namespace migrasim
