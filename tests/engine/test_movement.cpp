// Movement: exit controls, giving up, route choice by cost.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/simulation.hpp"
#include "engine/stages/journey.hpp"
#include "model/model.hpp"
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

std::int64_t count(const State& s, Status status) {
  return s.status_counts[static_cast<std::size_t>(status)];
}

TEST(Movement, NobodyLeavesWhileExitIsClosedAndAspirantsGiveUp) {
  const Model m =
      tiny_model({"regions.north.exit_restriction=1", "regions.south.exit_restriction=1",
                  "decisions.give_up_after_days=10"});
  State s = make_state(m);
  run_replicate(m, 0, s);
  EXPECT_EQ(total(m, s, Series::kDepartures), 0.0);
  EXPECT_GT(total(m, s, Series::kNewAspirants), 100.0);
  // Everyone who decided more than ten days before the end has given up.
  EXPECT_EQ(total(m, s, Series::kGaveUp), count(s, Status::kStayed));
  EXPECT_EQ(total(m, s, Series::kNewAspirants),
            count(s, Status::kStayed) + count(s, Status::kAspiring));
  for (std::size_t i = 0; i < s.agents.size(); ++i) {
    if (s.agents.status[i] == Status::kAspiring) {
      ASSERT_GT(s.agents.status_step[i], m.steps - 1 - 10);
    }
  }
}

TEST(Movement, ExitRestrictionDelaysDeparturesGeometrically) {
  // Restriction 0.9 per day: an aspirant leaves on each day with probability
  // 0.1, so the mean wait from decision to departure is 1/0.1 - 1 = 9 days.
  const Model m =
      tiny_model({"regions.north.exit_restriction=0.9", "regions.south.exit_restriction=0.9",
                  "population.agents=20000", "time.end=2022-06-30"});
  State s = make_state(m);
  double waited = 0, departures = 0;
  std::vector<std::int32_t> decided(m.agents, -1);
  run_replicate(m, 0, s, [&](const State& state, const char* stage) {
    const std::string_view name(stage);
    for (std::size_t i = 0; i < state.agents.size(); ++i) {
      if (name == "decisions" && state.agents.status[i] == Status::kAspiring && decided[i] < 0) {
        decided[i] = state.step;
      }
      if (name == "movement" && decided[i] >= 0 && state.agents.status[i] != Status::kAspiring &&
          state.agents.status_step[i] == state.step &&
          state.agents.status[i] == Status::kInTransit &&
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
  const State s = make_state(m);
  const NodeId hub = 1;
  for (float savings : {200.0f, 1000.0f, 100000.0f}) {
    const double k = 3.0 / std::max(100.0, static_cast<double>(savings));
    const double jungle = 3 * std::exp(-k * 300), road = std::exp(-k * 900);
    const double expected = jungle / (jungle + road);
    int chose_jungle = 0;
    constexpr int kN = 50000;
    for (int i = 0; i < kN; ++i) {
      Draws draws(StreamKey{3, 0, 0, StreamId::kMovement}, static_cast<std::uint32_t>(i));
      chose_jungle +=
          m.node_name[m.edge_to[choose_edge(m, s, 0, hub, savings, 0, draws)]] == "jungle";
    }
    EXPECT_NEAR(chose_jungle / double(kN), expected, 5 * std::sqrt(expected * (1 - expected) / kN))
        << "savings " << savings;
  }
}

double node_arrivals_from(const Model& m, const State& s, const std::string& node,
                          std::int32_t from_step) {
  std::size_t n = 0;
  while (m.node_name[n] != node) ++n;
  const auto steps = static_cast<std::size_t>(m.steps);
  double sum = 0.0;
  for (auto t = static_cast<std::size_t>(from_step); t < steps; ++t) {
    sum += s.recording.axis[index(AxisSeries::kNodeArrivals)][t * m.node_count() + n];
  }
  return sum;
}

TEST(Movement, NoEntriesAtANodeOnceAVisaIsRequired) {
  // From 2022-02-01 the north region needs a visa for the jungle: its travellers
  // take the road instead; the south region is unaffected.
  const Model m =
      tiny_model({"population.agents=20000", "decisions.base_rate_per_day=0.02",
                  "route.nodes.jungle.visa_required=[{regions: [north], from: 2022-02-01}]"});
  State s = make_state(m);
  std::vector<std::int64_t> north_jungle_after;
  run_replicate(m, 0, s, [&](const State& state, const char* stage) {
    if (std::string_view(stage) != "movement" || state.step < 31) return;
    for (std::size_t i = 0; i < state.agents.size(); ++i) {
      ASSERT_FALSE(state.agents.status[i] == Status::kInTransit && state.agents.region[i] == 0 &&
                   m.node_name[m.edge_to[state.agents.edge[i]]] == "jungle" &&
                   state.agents.node[i] == 1 &&
                   arrival_step(state.agents, i) - state.step ==
                       m.edge_travel_steps[state.agents.edge[i]].at(0))
          << "agent " << i << " set out for the jungle at step " << state.step;
    }
  });
  EXPECT_EQ(m.first_step_from(*parse_date("2022-02-01")), 31);
  EXPECT_GT(node_arrivals_from(m, s, "road", 31), 0.0);
  EXPECT_GT(node_arrivals_from(m, s, "jungle", 40),
            0.0);  // the south still goes through the jungle
}

TEST(Movement, AVisaRuleOnTheOnlyWayKeepsAspirantsHome) {
  const Model m =
      tiny_model({"route.nodes.hub.visa_required=[{regions: [north, south], from: 2022-01-20}]",
                  "decisions.base_rate_per_day=0.01"});
  State s = make_state(m);
  run_replicate(m, 0, s);
  // Nobody enters the hub after the 20th (step 19), so nobody arrives there
  // after the first travellers already under way have (two-day edge).
  EXPECT_EQ(node_arrivals_from(m, s, "hub", 21), 0.0);
  EXPECT_GT(node_arrivals_from(m, s, "hub", 0), 0.0);
  EXPECT_GT(count(s, Status::kAspiring), 100);
}

TEST(Movement, LegalPathwaysAdmitTheEligibleWithinCapacity) {
  const Model m =
      tiny_model({"population.agents=20000", "decisions.base_rate_per_day=0.05",
                  "information.initial_legal_awareness=0.5",
                  "legal_pathways=[{name: parole, capacity_per_day: 9, min_claim_strength: 0.4, "
                  "regions: [north], wait_days: 10}]"});
  State s = make_state(m);
  std::int64_t entered_before = 0;
  run_replicate(m, 0, s, [&](const State& state, const char* stage) {
    if (std::string_view(stage) != "legal_pathways") return;
    const std::int64_t entered =
        std::count(state.agents.status.begin(), state.agents.status.end(), Status::kLegalPathway);
    ASSERT_LE(entered - entered_before, 5)
        << "step " << state.step;  // 9 persons a day, 2 per agent: 4.5
    entered_before = entered;
  });
  ASSERT_GT(count(s, Status::kLegalPathway), 100);
  EXPECT_EQ(total(m, s, Series::kLegalPathwayEntries), count(s, Status::kLegalPathway));
  for (std::size_t i = 0; i < s.agents.size(); ++i) {
    if (s.agents.status[i] != Status::kLegalPathway) continue;
    ASSERT_GE(s.agents.claim_strength[i], 0.4f);
    ASSERT_EQ(s.agents.region[i], 0);
    ASSERT_TRUE(s.agents.flags[i] & kLegalAware);
  }
}

// Deaths on an edge whose hazard changes while travellers are on it (a ramp,
// a jump, a spell at zero): the transit calendar draws each traveller's death
// once and again only where its hazard changed, and the deaths of each spell
// must match the exact expectation of a Bernoulli draw at every visit, from
// the departures of each step and the hazard of each step.
TEST(Movement, DeathsFollowAHazardThatChangesWhileTravellersAreOnTheEdge) {
  const std::string text = R"(
time: {start: 2022-01-01, end: 2022-03-31}
population: {agents: 40000}
regions:
  - {name: r, population_share: 1, origin: a, push_factors: {economic_hardship: 0, repression: 0}}
decisions: {base_rate_per_day: 0.2}
route:
  nodes: [{name: a, kind: origin}, {name: b, kind: destination}]
  edges:
    - {from: a, to: b, travel_days: 30, mortality_per_day: {2022-01-01: 0.002, 2022-01-15: 0.03,
       2022-01-25: 0.03, 2022-01-26: 0, 2022-02-01: 0, 2022-02-02: 0.01}}
)";
  const Model m = compile(parse_scenario(text, "inline.yaml"));
  State s = make_state(m);
  run_replicate(m, 0, s);
  const auto steps = static_cast<std::size_t>(m.steps);
  const double* departures = s.recording.scalar.data() + index(Series::kDepartures) * steps;
  const double* deaths = s.recording.scalar.data() + index(Series::kDeaths) * steps;
  const int travel = 30;
  // Spells of steps: [0, 14) low, [14, 25) ramp up and high, [25, 31) zero, [31, end).
  const std::vector<std::size_t> edges = {0, 14, 25, 31, steps};
  for (std::size_t w = 0; w + 1 < edges.size(); ++w) {
    double expected = 0.0, variance = 0.0, observed = 0.0;
    for (std::size_t t = edges[w]; t < edges[w + 1]; ++t) observed += deaths[t];
    // A traveller setting out in step d is visited in steps d .. d + 29; it
    // dies in the spell with probability q_d (alive on reaching it, then dead
    // before leaving it); deaths are independent given the departures.
    for (std::size_t d = 0; d < steps; ++d) {
      double alive = 1.0, q = 0.0;
      for (std::size_t v = d; v < std::min(steps, d + travel); ++v) {
        const double p = -std::expm1(-m.edge_death_hazard[0].at(static_cast<std::int32_t>(v)));
        if (v >= edges[w] && v < edges[w + 1]) q += alive * p;
        alive *= 1.0 - p;
      }
      expected += departures[d] * q;
      variance += departures[d] * q * (1.0 - q);
    }
    if (expected == 0.0) {
      EXPECT_EQ(observed, 0.0) << "spell " << w;
    } else {
      EXPECT_NEAR(observed, expected, 5.0 * std::sqrt(variance)) << "spell " << w;
    }
  }
  EXPECT_GT(std::accumulate(deaths, deaths + steps, 0.0), 3000.0);
}

}  // namespace
}  // namespace migrasim
