// Parameters that change over time (dated series and seasons) act on the step
// they are dated for, and a constant one is stored once.
#include <gtest/gtest.h>

#include <string>

#include "engine_support.hpp"
#include "input/scenario.hpp"
#include "model/model.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

using testing::Result;
using testing::run_scenario_text;

// Everyone aware sets out along home -> shore -> sea -> abroad; the sea
// crossing's mortality is `mortality` as written.
std::string crossing(const std::string& mortality, const std::string& extra = "") {
  return R"(
time: {start: 2023-01-01, end: 2023-06-30}
population: {agents: 20000, persons_per_agent: 1}
regions:
  - {name: coast, population_share: 1, origin: home, push_factors: {economic_hardship: 0, repression: 0}}
communities: {count: 10}
decisions: {base_rate_per_day: 0.02}
route:
  nodes:
    - {name: home, kind: origin}
    - {name: shore, kind: transit}
    - {name: abroad, kind: destination}
  edges:
    - {from: home, to: shore, travel_days: 1}
    - {from: shore, to: abroad, travel_days: 3, mortality_per_day: )" +
         mortality + "}\n" + extra;
}

constexpr std::int32_t kMarch = 59;  // 2023-03-01 is step 59
constexpr std::int32_t kMay = 120;   // 2023-05-01

double total_between(const Result& r, Series series, std::int32_t from, std::int32_t to) {
  const auto v = r.series(series);
  return std::accumulate(v.begin() + from, v.begin() + to, 0.0);
}

TEST(Varying, NoDeathsWhileMortalityIsZero) {
  const Result r = run_scenario_text(
      crossing("{2023-02-28: 0.01, 2023-03-01: 0, 2023-04-30: 0, 2023-05-01: 0.01}"));
  EXPECT_GT(total_between(r, Series::kDeaths, 0, kMarch), 0.0);
  EXPECT_EQ(total_between(r, Series::kDeaths, kMarch, kMay), 0.0);
  EXPECT_GT(total_between(r, Series::kDeaths, kMay, r.m.steps), 0.0);
}

TEST(Varying, ASeasonOfZeroStopsDeathsInItsMonths) {
  const Result r = run_scenario_text(
      crossing("{2023-01-01: 0.01, seasonal: [1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]}"));
  EXPECT_GT(total_between(r, Series::kDeaths, 0, kMarch), 0.0);
  EXPECT_EQ(total_between(r, Series::kDeaths, kMarch, kMay), 0.0);
  EXPECT_GT(total_between(r, Series::kDeaths, kMay, r.m.steps), 0.0);
}

TEST(Varying, ASeriesOfOneValueRunsAsThatConstant) {
  const Result constant = run_scenario_text(crossing("0.01"));
  const Result series = run_scenario_text(crossing("{2023-02-01: 0.01, 2023-05-01: 0.01}"));
  EXPECT_EQ(constant.r.scalar, series.r.scalar);
  EXPECT_EQ(constant.r.axis, series.r.axis);
}

TEST(Varying, TablesHoldOneValuePerStepOnlyWhenTheValueChanges) {
  const Model constant = compile(parse_scenario(crossing("0.01"), "c.yaml"));
  for (const auto& table : constant.edge_death_probability) EXPECT_FALSE(table.varies());
  const Model flat = compile(parse_scenario(crossing("{2023-02-01: 0.01}"), "f.yaml"));
  for (const auto& table : flat.edge_death_probability) EXPECT_FALSE(table.varies());

  const Model ramp =
      compile(parse_scenario(crossing("{2023-01-01: 0, 2023-01-11: 0.01}"), "r.yaml"));
  const StepTable<double>& hazard = ramp.edge_death_hazard[1];
  ASSERT_TRUE(hazard.varies());
  ASSERT_EQ(hazard.per_step.size(), static_cast<std::size_t>(ramp.steps));
  EXPECT_DOUBLE_EQ(hazard.at(0), 0.0);
  EXPECT_DOUBLE_EQ(hazard.at(5), 0.005);  // linear between the points
  EXPECT_DOUBLE_EQ(hazard.at(10), 0.01);
  EXPECT_DOUBLE_EQ(hazard.at(100), 0.01);  // held after the last
  EXPECT_DOUBLE_EQ(ramp.edge_death_probability[1].at(5), probability_per_step(0.005, 1.0));
}

TEST(Varying, SeasonsMultiplyByTheMonthOfTheStep) {
  const Model m = compile(parse_scenario(
      crossing("{2023-01-01: 0.01, seasonal: [2, 1, 1, 1, 1, 1, 0.5, 1, 1, 1, 1, 1]}") +
          "checkpoints:\n  - {name: coast_guard, node: shore, throughput_per_day: "
          "{2023-01-01: 100, seasonal: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3]}}\n",
      "s.yaml"));
  EXPECT_DOUBLE_EQ(m.edge_death_hazard[1].at(0), 0.02);   // January
  EXPECT_DOUBLE_EQ(m.edge_death_hazard[1].at(31), 0.01);  // February
  EXPECT_DOUBLE_EQ(m.checkpoint_capacity_agents[0].at(0), 100.0);
  EXPECT_FALSE(m.edge_death_hazard[0].varies());
}

TEST(Varying, TravelTimesAndCostsFollowTheirSeries) {
  const Model m =
      compile(parse_scenario(crossing("0", ""), "t.yaml",
                             {"route.edges[1].travel_days={2023-01-01: 3, 2023-03-01: 10}",
                              "route.edges[1].cost_usd={2023-01-01: 1000, 2023-01-03: 3000}"}));
  EXPECT_EQ(m.edge_travel_steps[1].at(0), 3);
  EXPECT_EQ(m.edge_travel_steps[1].at(kMarch), 10);
  EXPECT_DOUBLE_EQ(m.edge_cost_usd[1].at(1), 2000.0);
  EXPECT_TRUE(m.route_costs_vary);
}

std::string error_of(const std::string& mortality) {
  try {
    compile(parse_scenario(crossing(mortality), "bad.yaml"));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Varying, RejectsMalformedSeriesAndSeasons) {
  EXPECT_NE(error_of("{2023-01-01: 0.01, seasonal: [1, 1, 1]}").find("12 monthly multipliers"),
            std::string::npos);
  EXPECT_NE(error_of("{2023-01-01: 0.01, seasonal: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1]}")
                .find("route.edges[1].mortality_per_day.seasonal[11]"),
            std::string::npos);
  EXPECT_NE(error_of("{2023-01-01: 0.01, monthly: [1]}").find("'monthly'"), std::string::npos);
  EXPECT_NE(error_of("{2023-03-01: 0.01, 2023-01-01: 0.02}").find("increasing order"),
            std::string::npos);
  EXPECT_NE(error_of("{2023-01-01: 11}").find("route.edges[1].mortality_per_day"),
            std::string::npos);
  // A season may not carry a probability above 1.
  const std::string text = crossing("0") +
                           "checkpoints:\n  - {name: coast_guard, node: shore, "
                           "detection_probability: {2023-01-01: 0.8, seasonal: "
                           "[1, 1, 1, 1, 1, 1, 1.5, 1, 1, 1, 1, 1]}}\n";
  try {
    parse_scenario(text, "season.yaml");
    ADD_FAILURE() << "a season above 1 was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoints[0].detection_probability.seasonal"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("reaches 1.2"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace migrasim
