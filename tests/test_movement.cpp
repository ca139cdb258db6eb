// Movement: exit controls, giving up, route choice by cost.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "model.hpp"
#include "simulation.hpp"
#include "stages/journey.hpp"
#include "test_support.hpp"

namespace migrasim {
namespace {

Model tiny_model(const std::vector<std::string>& overrides) {
  return compile(parse_scenario(testing::tiny_scenario_yaml(), "tiny.yaml", overrides));
}

double total(const Model& m, const State& s, Series flow) {
  const auto steps = static_cast<std::size_t>(m.steps);
  const auto first = s.recording.scalar.begin() + static_cast<long>(index(flow) * steps);
  return std::accumulate(first, first + static_cast<long>(steps), 0.0) / m.persons_per_agent;
}

std::int64_t count(const State& s, Status status) { return s.status_counts[static_cast<std::size_t>(status)]; }

TEST(Movement, NobodyLeavesWhileExitIsClosedAndAspirantsGiveUp) {
  const Model m = tiny_model({"regions.north.exit_restriction=1", "regions.south.exit_restriction=1",
                              "decisions.give_up_after_days=10"});
  State s = make_state(m);
  run_replicate(m, 0, s);
  EXPECT_EQ(total(m, s, Series::kDepartures), 0.0);
  EXPECT_GT(total(m, s, Series::kNewAspirants), 100.0);
  // Everyone who decided more than ten days before the end has given up.
  EXPECT_EQ(total(m, s, Series::kGaveUp), count(s, Status::kStayed));
  EXPECT_EQ(total(m, s, Series::kNewAspirants), count(s, Status::kStayed) + count(s, Status::kAspiring));
  for (std::size_t i = 0; i < s.agents.size(); ++i) {
    if (s.agents.status[i] == Status::kAspiring) {
      ASSERT_GT(s.agents.status_step[i], m.steps - 1 - 10);
    }
  }
}

TEST(Movement, ExitRestrictionDelaysDeparturesGeometrically) {
  // Restriction 0.9 per day: an aspirant leaves on each day with probability
  // 0.1, so the mean wait from decision to departure is 1/0.1 - 1 = 9 days.
  const Model m = tiny_model({"regions.north.exit_restriction=0.9", "regions.south.exit_restriction=0.9",
                              "population.agents=20000", "time.end=2022-06-30"});
  State s = make_state(m);
  double waited = 0, departures = 0;
  std::vector<std::int32_t> decided(s.agents.size(), -1);
  run_replicate(m, 0, s, [&](const State& state, const char* stage) {
    const std::string_view name(stage);
    for (std::size_t i = 0; i < state.agents.size(); ++i) {
      if (name == "decisions" && state.agents.status[i] == Status::kAspiring && decided[i] < 0) {
        decided[i] = state.step;
      }
      if (name == "movement" && decided[i] >= 0 && state.agents.status[i] != Status::kAspiring &&
          state.agents.status_step[i] == state.step && state.agents.status[i] == Status::kInTransit &&
          state.agents.node[i] == m.region_origin[state.agents.region[i]]) {
        waited += state.step - decided[i];
        departures += 1;
        decided[i] = -2;
      }
    }
  });
  ASSERT_GT(departures, 1000);
  const double mean = 9.0, sd = std::sqrt(0.9) / 0.1;
  EXPECT_NEAR(waited / departures, mean, 5 * sd / std::sqrt(departures));
}

TEST(Movement, RouteChoiceWeighsCostAgainstSavings) {
  // hub -> jungle costs 300, hub -> road 900 (weights 3 : 1). With cost
  // sensitivity k, an agent with savings S picks the jungle with probability
  // 3 e^{-k 300/S} / (3 e^{-k 300/S} + e^{-k 900/S}).
  const Model m = tiny_model({"decisions.route_cost_sensitivity=3"});
  const NodeId hub = 1;
  for (float savings : {200.0f, 1000.0f, 100000.0f}) {
    const double k = 3.0 / std::max(100.0, static_cast<double>(savings));
    const double jungle = 3 * std::exp(-k * 300), road = std::exp(-k * 900);
    const double expected = jungle / (jungle + road);
    int chose_jungle = 0;
    constexpr int kN = 50000;
    for (int i = 0; i < kN; ++i) {
      Draws draws(StreamKey{3, 0, 0, StreamId::kMovement}, static_cast<std::uint32_t>(i));
      chose_jungle += m.node_name[m.edge_to[choose_edge(m, hub, savings, draws)]] == "jungle";
    }
    EXPECT_NEAR(chose_jungle / double(kN), expected, 5 * std::sqrt(expected * (1 - expected) / kN))
        << "savings " << savings;
  }
}

}  // namespace
}  // namespace migrasim
