// Initial stocks: agents who start the run at a transit node.
#include <gtest/gtest.h>
#include <omp.h>

#include <numeric>
#include <string>
#include <vector>

#include "engine/invariants.hpp"
#include "engine/simulation.hpp"
#include "model/model.hpp"
#include "model/warnings.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

// Nobody at home leaves (base rate 0). The last leg takes a smuggler by
// choice, and nobody chooses one (preference 0) unless a stock waits for one.
std::string coast_yaml(const std::string& stocks) {
  return R"(name: coast
time: {start: 2015-01-01, end: 2015-01-20, step_days: 1}
run: {seed: 3, replicates: 1}
population: {agents: 500, persons_per_agent: 10}
communities: {count: 6}
regions:
  - {name: sahel, population_share: 0.6, origin: home, push_factors: {economic_hardship: 0.5, repression: 0.5}}
  - {name: horn, population_share: 0.4, origin: home, push_factors: {economic_hardship: 0.5, repression: 0.5}}
decisions: {base_rate_per_day: 0, smuggler_preference: 0}
route:
  nodes:
    - {name: home, kind: origin}
    - {name: desert, kind: transit}
    - {name: coast, kind: transit}
    - {name: island, kind: destination}
  edges:
    - {from: home, to: desert, travel_days: 3}
    - {from: desert, to: coast, travel_days: 5}
    - {from: coast, to: island, travel_days: 4, smuggler: optional}
smugglers:
  - {name: boats, covers: [[coast, island]], capacity_per_day: 1000, max_capacity_per_day: 1000, fee_usd: 100}
)" + stocks;
}

Model compile_yaml(const std::string& text) { return compile(parse_scenario(text, "coast.yaml")); }

double series_total(const Model& m, const State& s, Series series) {
  const auto steps = static_cast<std::size_t>(m.steps);
  const auto first = s.recording.scalar.begin() + static_cast<long>(index(series) * steps);
  return std::accumulate(first, first + static_cast<long>(steps), 0.0);
}

// The node or edge series' value at `step` for entity `k`.
double axis_at(const Model& m, const State& s, AxisSeries series, std::int32_t step,
               std::size_t k) {
  const std::size_t length = axis_length(m, axis_of(series));
  return s.recording.axis[index(series)][static_cast<std::size_t>(step) * length + k];
}

constexpr const char* kStandingStock =
    "initial_stocks:\n  - {node: coast, persons: 1000, region: horn}\n";

TEST(InitialStocks, AgentsAreAddedAfterThoseAtHomeAndJoinTheirRegionsGroups) {
  const Model m = compile_yaml(coast_yaml(kStandingStock));
  EXPECT_EQ(m.home_agents, 500u);
  EXPECT_EQ(m.agents, 600u);
  ASSERT_EQ(m.stock_count(), 1u);
  EXPECT_EQ(m.stock_first_agent, (std::vector<std::uint32_t>{500, 600}));
  std::uint32_t stock_members = 0;
  for (std::size_t k = 0; k < m.community_count(); ++k) {
    if (m.region_name[m.community_region[k]] != "horn") {
      EXPECT_EQ(m.community_stock_members[k], 0u);
    }
    stock_members += m.community_stock_members[k];
  }
  EXPECT_EQ(stock_members, 100u);
  // Without stocks the agents at home are laid out the same.
  const Model without = compile_yaml(coast_yaml(""));
  EXPECT_EQ(without.agents, 500u);
  EXPECT_EQ(without.community_first_agent, m.community_first_agent);
}

TEST(InitialStocks, AStockBeforeAnOpenDestinationArrivesAfterTheEdgesTravelDays) {
  const Model m = compile_yaml(coast_yaml(kStandingStock));
  State s = make_state(m);
  run_replicate_checked(m, 0, s, InvariantChecks::kEveryStage);
  const std::size_t island = 3, coast_to_island = 2;
  // They set out in the first step and reach the island four days on: at the
  // end of step 3.
  for (std::int32_t step = 0; step < m.steps; ++step) {
    EXPECT_EQ(axis_at(m, s, AxisSeries::kNodeArrivals, step, island), step == 3 ? 1000.0 : 0.0)
        << "step " << step;
    EXPECT_EQ(axis_at(m, s, AxisSeries::kEdgeDepartures, step, coast_to_island),
              step == 0 ? 1000.0 : 0.0)
        << "step " << step;
  }
  EXPECT_EQ(s.status_counts[static_cast<std::size_t>(Status::kEvaded)], 100);
  EXPECT_EQ(s.status_counts[static_cast<std::size_t>(Status::kAtHome)], 500);
  // They left home before the run: no departures, no aspirants.
  EXPECT_EQ(series_total(m, s, Series::kDepartures), 0.0);
  EXPECT_EQ(series_total(m, s, Series::kNewAspirants), 0.0);
  // Their arrivals are their groups' news.
  std::int64_t remembered = 0;
  for (std::size_t k = 0; k < m.community_count(); ++k)
    remembered += s.communities.remembered_arrivals[k] > 0.0;
  EXPECT_GT(remembered, 0);
}

TEST(InitialStocks, AStockWaitingForASmugglerQueuesThenSailsWithTheNetwork) {
  const Model m = compile_yaml(
      coast_yaml("initial_stocks:\n  - {node: coast, persons: 1000, region: sahel, status: "
                 "waiting_for_smuggler}\n"));
  State s = make_state(m);
  bool checked_first_step = false;
  run_replicate_checked(m, 0, s, InvariantChecks::kEveryStage,
                        [&](const State& state, const char* stage) {
                          if (state.step != 0 || std::string_view(stage) != "recording") return;
                          // The stocks' agents hold the first slots.
                          for (std::uint32_t i = 0; i < m.agents - m.home_agents; ++i) {
                            ASSERT_EQ(state.agents.home[i], m.home_agents + i);
                            ASSERT_EQ(state.agents.status[i], Status::kWaitingForSmuggler);
                            ASSERT_EQ(state.agents.smuggler[i], 0);
                          }
                          checked_first_step = true;
                        });
  EXPECT_TRUE(checked_first_step);
  // Taken on in step 1 (capacity 1,000 a day), on the island at the end of step 4.
  for (std::int32_t step = 0; step < m.steps; ++step) {
    EXPECT_EQ(axis_at(m, s, AxisSeries::kNodeArrivals, step, 3), step == 4 ? 1000.0 : 0.0)
        << "step " << step;
  }
  EXPECT_EQ(series_total(m, s, Series::kDepartures), 0.0);
}

TEST(InitialStocks, SameBitsForAnyThreadCount) {
  const Model m = compile_yaml(
      coast_yaml("initial_stocks:\n  - {node: desert, persons: 20000, region: sahel}\n"
                 "  - {node: coast, persons: 7000, region: horn, status: waiting_for_smuggler}\n"));
  std::vector<Recording> recordings;
  std::vector<std::vector<float>> savings;
  const int before = omp_get_max_threads();
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    State s = make_state(m);
    s.choose_team = false;
    run_replicate_checked(m, 0, s, InvariantChecks::kEveryStep);
    recordings.push_back(s.recording);
    savings.push_back(s.agents.savings_usd);
  }
  omp_set_num_threads(before);
  for (std::size_t k = 1; k < recordings.size(); ++k) {
    EXPECT_EQ(recordings[k].scalar, recordings[0].scalar);
    EXPECT_EQ(recordings[k].axis, recordings[0].axis);
    EXPECT_EQ(savings[k], savings[0]);
  }
}

TEST(InitialStocks, BadEntriesNameTheirLine) {
  const auto error = [](const std::string& stocks) {
    try {
      compile_yaml(coast_yaml("initial_stocks:\n" + stocks));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error("  - {node: harbour, persons: 10, region: horn}\n").substr(0, 64),
            "coast.yaml:23:12: initial_stocks[0].node: unknown node 'harbour'");
  EXPECT_EQ(error("  - {node: home, persons: 10, region: horn}\n"),
            "coast.yaml:23:12: initial_stocks[0].node: 'home' is an origin node; a stock "
            "stands at a transit or border node");
  EXPECT_EQ(error("  - {node: island, persons: 10, region: horn}\n"),
            "coast.yaml:23:12: initial_stocks[0].node: 'island' is a destination node; a "
            "stock stands at a transit or border node");
  EXPECT_NE(error("  - {node: coast, persons: -5, region: horn}\n").find("coast.yaml:23:"),
            std::string::npos);
  EXPECT_EQ(error("  - {node: coast, persons: 10, region: west}\n"),
            "coast.yaml:23:40: initial_stocks[0].region: unknown region 'west'; known "
            "regions: sahel, horn");
  EXPECT_NE(error("  - {node: coast, persons: 10, region: horn, status: aspiring}\n")
                .find("allowed: in_transit, waiting_for_smuggler"),
            std::string::npos);
}

TEST(InitialStocks, AStockOfLessThanHalfAnAgentIsWarnedOf) {
  const std::string text =
      coast_yaml("initial_stocks:\n  - {node: coast, persons: 4, region: horn}\n");
  const Scenario s = parse_scenario(text, "coast.yaml");
  const Model m = compile(s);
  EXPECT_EQ(m.agents, m.home_agents);
  const std::vector<ScenarioWarning> warnings = find_warnings(s, m);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].text(),
            "coast.yaml:23:5: initial_stocks[0]: 4 persons are no agent at persons_per_agent 10: "
            "the stock is left out");
}

}  // namespace
}  // namespace migrasim
