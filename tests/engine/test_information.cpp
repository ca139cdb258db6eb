// The information stage and community feedback: route knowledge spreading
// through groups, beliefs following each group's record of outcomes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/home_knowledge.hpp"
#include "engine/invariants.hpp"
#include "engine/simulation.hpp"
#include "engine/stages/stages.hpp"
#include "model/model.hpp"
#include "test_support.hpp"

namespace migrasim {
namespace {

// One region, one origin, one 5-day edge to a destination.
std::string one_group_scenario(const std::string& information,
                               const std::string& communities = "{count: 1}") {
  return R"(
time: {start: 2022-01-01, end: 2022-04-10}
population: {agents: 100000}
regions:
  - {name: r, population_share: 1, origin: a, push_factors: {economic_hardship: 0, repression: 0}}
communities: )" +
         communities + R"(
information: )" +
         information + R"(
decisions: {base_rate_per_day: 0}
route:
  nodes: [{name: a, kind: origin}, {name: b, kind: destination}]
  edges: [{from: a, to: b, travel_days: 5}]
)";
}

Model compile_text(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return compile(parse_scenario(text, "inline.yaml", overrides));
}

std::vector<double> awareness_series(const Model& m, const State& s) {
  const auto steps = static_cast<std::size_t>(m.steps);
  const auto first =
      s.recording.scalar.begin() + static_cast<long>(index(Series::kMeanRouteAwareness) * steps);
  return {first, first + static_cast<long>(steps)};
}

TEST(Information, NobodyLeavesWithoutKnowingTheRoute) {
  const Model m = compile(parse_scenario(testing::tiny_scenario_yaml(), "tiny.yaml",
                                         {"information.initial_route_awareness=0"}));
  State s = make_state(m);
  run_replicate(m, 0, s);
  for (double aware : awareness_series(m, s)) EXPECT_EQ(aware, 0.0);
  EXPECT_EQ(s.status_counts[static_cast<std::size_t>(Status::kAtHome)], m.agents);
}

TEST(Information, ContagionInAGroupFollowsTheLogisticRecursion) {
  // Unaware members learn with probability 1 - exp(-beta a) per day, a the aware
  // share: the mean-field recursion a' = a + (1 - a)(1 - exp(-beta a)).
  const Model m = compile_text(
      one_group_scenario("{initial_route_awareness: 0.01, contagion_rate_per_day: 0.1}"));
  State s = make_state(m);
  run_replicate(m, 0, s);
  const std::vector<double> simulated = awareness_series(m, s);
  // The initial share is drawn: start the recursion from the drawn share.
  double a = simulated[0];
  const double first_a = a;
  double biggest_gain = 0.0;
  std::size_t biggest_at = 0;
  for (std::size_t t = 1; t < simulated.size(); ++t) {
    a = a + (1.0 - a) * -std::expm1(-0.1 * a);
    // Binomial noise compounds through the epidemic: a few percent at most
    // with thousands aware from the start.
    EXPECT_NEAR(simulated[t], a, 0.03) << "day " << t;
    if (simulated[t] - simulated[t - 1] > biggest_gain) {
      biggest_gain = simulated[t] - simulated[t - 1];
      biggest_at = t;
    }
  }
  EXPECT_NEAR(first_a, 0.01 * (1 + 0.1 * 0.01), 5 * std::sqrt(0.01 * 0.99 / 1e5));
  // An S-curve: slow start, fastest in the middle, saturating at the end.
  EXPECT_GT(biggest_at, 20u);
  EXPECT_LT(biggest_at, simulated.size() - 20);
  EXPECT_GT(simulated.back(), 0.99);
}

TEST(Information, KnowledgeStaysInItsGroupWithoutMixingOrDiscovery) {
  // Two groups; only agents in the first group can know the route at the start
  // if the first group alone is seeded: with awareness 0 and no discovery, no
  // one ever learns, in any group.
  const Model m = compile_text(one_group_scenario(
      "{initial_route_awareness: 0, contagion_rate_per_day: 1}", "{count: 50, size_exponent: 1}"));
  State s = make_state(m);
  run_replicate(m, 0, s);
  EXPECT_EQ(s.aware_total, 0);
}

TEST(Information, GroupSizesFollowARankSizeLaw) {
  const Model m = compile_text(one_group_scenario("{}", "{count: 100, size_exponent: 1}"));
  ASSERT_EQ(m.community_count(), 100u);
  const auto size = [&](std::size_t k) {
    return m.community_first_agent[k + 1] - m.community_first_agent[k];
  };
  EXPECT_EQ(m.community_first_agent.back(), m.agents);
  // Harmonic number H_100 = 5.187...: the largest group holds 1/H_100 of everyone.
  // Every group has one member, the other 99,900 are shared by rank.
  EXPECT_NEAR(size(0), 1 + 99900 / 5.187377517639621, 1.0);
  EXPECT_NEAR(static_cast<double>(size(0)) / size(9), 10.0, 0.02);
}

TEST(Information, BeliefsMoveTowardsTheGroupRecord) {
  const Model m = compile_text(one_group_scenario(
      "{learning_rate_per_day: 0.5, prior_success: 0.6, prior_danger: 0.05, prior_weight: 20, "
      "death_salience: 10}"));
  State s = make_state(m);
  initialize_population(m, 0, s);
  s.communities.remembered_arrivals[0] = 30;
  s.communities.remembered_failures[0] = 5;
  s.communities.remembered_deaths[0] = 1;
  spread_information(m, s);
  const double success = (20 * 0.6 + 30) / (20 + 30 + 5 + 1);
  const double danger = (20 * 0.05 + 10 * 1) / (20 + 30 + 5 + 10 * 1);
  EXPECT_FLOAT_EQ(s.communities.success_signal[0], static_cast<float>(success));
  EXPECT_FLOAT_EQ(s.communities.danger_signal[0], static_cast<float>(danger));
  const double lambda = 1 - std::exp(-0.5);
  // Agent 123 is at home: its beliefs are its community's.
  ASSERT_EQ(s.home_status[123], Status::kAtHome);
  const auto k = static_cast<CommunityId>(
      std::upper_bound(m.community_first_agent.begin(), m.community_first_agent.end(), 123u) -
      m.community_first_agent.begin() - 1);
  EXPECT_NEAR(s.communities.belief_success[k], 0.6 + lambda * (success - 0.6), 1e-6);
  EXPECT_NEAR(s.communities.belief_danger[k], 0.05 + lambda * (danger - 0.05), 1e-6);
}

TEST(Information, FeedbackRemembersOutcomesWithAFadingMemory) {
  const Model m = compile_text(one_group_scenario("{memory_days: 10}"));
  State s = make_state(m);
  initialize_population(m, 0, s);
  s.communities.remembered_deaths[0] = 4.0;
  s.communities.deaths[0] = 3;
  s.communities.arrivals[0] = 7;
  record_community_feedback(m, s);
  EXPECT_DOUBLE_EQ(s.communities.remembered_deaths[0], 4.0 * std::exp(-0.1) + 3);
  EXPECT_DOUBLE_EQ(s.communities.remembered_arrivals[0], 7.0);
  EXPECT_EQ(s.communities.deaths[0], 0);
  EXPECT_EQ(s.communities.arrivals[0], 0);
}

TEST(Information, ArrivalsTravelBackAsRouteGuides) {
  // Everyone in group 0 knows the route and leaves; no contagion or discovery:
  // only arrivals' guides can teach the other members.
  const Model m =
      compile_text(one_group_scenario("{initial_route_awareness: 0.2, guide_rate_per_day: 1}"),
                   {"decisions.base_rate_per_day=1"});
  State s = make_state(m);
  run_replicate(m, 0, s);
  const std::vector<double> aware = awareness_series(m, s);
  EXPECT_NEAR(aware[3], aware[0], 1e-9);  // nobody has arrived in the first days
  EXPECT_GT(aware.back(), aware[0] + 0.3);
}

TEST(Information, AffordabilityGatesDecisions) {
  // Route cost 10,000 and everyone's savings 1 USD: with cost elasticity 2 the
  // hazard is (1e-4)^2 of the base: practically nobody leaves.
  std::string text = one_group_scenario("{}");
  text.replace(text.find("travel_days: 5}"), 15, "travel_days: 5, cost_usd: 10000}");
  text.replace(text.find("population: {agents: 100000}"), 28,
               "population: {agents: 100000, savings_usd: {median: 1, sigma: 0}}");
  const Model poor =
      compile_text(text, {"decisions.base_rate_per_day=0.1", "decisions.cost_elasticity=2"});
  State s = make_state(poor);
  run_replicate(poor, 0, s);
  EXPECT_EQ(s.status_counts[static_cast<std::size_t>(Status::kAtHome)], poor.agents);
  const Model ignore_cost = compile_text(text, {"decisions.base_rate_per_day=0.1"});
  State t = make_state(ignore_cost);
  run_replicate(ignore_cost, 0, t);
  EXPECT_LT(t.status_counts[static_cast<std::size_t>(Status::kAtHome)], ignore_cost.agents / 100);
}

TEST(Information, EachAgentDecidesWithItsOwnProbability) {
  // Everyone knows the route; the hazard depends on each agent's risk
  // tolerance and savings. Members are picked with the community's largest
  // probability and thinned (decisions.cpp): the number who leave in one step
  // must match the sum of the agents' own probabilities, overall and among the
  // more and the less risk-tolerant halves (within 5 standard deviations).
  std::string text = one_group_scenario("{initial_route_awareness: 1}");
  text.replace(text.find("travel_days: 5}"), 15, "travel_days: 5, cost_usd: 20000}");
  for (const double base : {0.004, 0.2}) {  // geometric gaps, and the dense pass
    const Model m =
        compile_text(text, {"decisions.base_rate_per_day=" + std::to_string(base),
                            "decisions.success_weight=2", "decisions.danger_weight=20",
                            "decisions.cost_elasticity=1", "information.prior_danger=0.05"});
    State s = make_state(m);
    initialize_population(m, 0, s);
    s.step = 0;
    update_environment(m, s);
    spread_information(m, s);
    make_decisions(m, s);
    const double success = s.communities.belief_success[0];
    const double danger = s.communities.belief_danger[0];
    const double cost = s.policy.region_route_cost_usd[0];
    ASSERT_GT(cost, 0.0);
    double expected[2] = {0, 0}, variance[2] = {0, 0}, left[2] = {0, 0};
    // An agent at home keeps no attributes: they are its population draws.
    const StreamKey population = population_stream(m, s);
    for (std::uint32_t i = 0; i < m.home_agents; ++i) {
      const AgentAttributes own = s.sampler->draw_one(population, i);
      const double attitude = 2.0 * (success - 0.5) - 20.0 * danger * (1.0 - own.risk_tolerance);
      const double affordable = std::clamp(own.savings_usd / cost, 0.0, 1.0);
      const double p = -std::expm1(-base * std::exp(attitude) * affordable);
      const int half = own.risk_tolerance < 0.35;
      expected[half] += p;
      variance[half] += p * (1 - p);
      left[half] += s.home_status[i] == Status::kAspiring;
    }
    for (int half = 0; half < 2; ++half) {
      ASSERT_GT(expected[half], 50.0) << base;
      EXPECT_NEAR(left[half], expected[half], 5.0 * std::sqrt(variance[half]))
          << base << " half " << half;
    }
  }
}

TEST(Information, TheDensePassPicksOnlyThoseWhoKnowTheRoute) {
  // A probability of leaving above 1/16 takes the dense pass (a draw for each
  // member at home): with 30% knowing the route, those who leave are among
  // them, as many as Binomial(knowing, p) says (within 5 sd).
  const Model m = compile_text(one_group_scenario("{initial_route_awareness: 0.3}"),
                               {"decisions.base_rate_per_day=0.5", "decisions.success_weight=0",
                                "decisions.danger_weight=0", "decisions.cost_elasticity=0"});
  State s = make_state(m);
  initialize_population(m, 0, s);
  s.step = 0;
  update_environment(m, s);
  spread_information(m, s);
  const auto knowing = static_cast<double>(s.communities.route_known[0]);
  make_decisions(m, s);
  double left = 0;
  for (std::uint32_t h = 0; h < m.home_agents; ++h) {
    if (s.home_status[h] != Status::kAspiring) continue;
    ++left;
    ASSERT_TRUE(knows_route(m, s.communities, 0, h)) << "member " << h;
  }
  const double p = -std::expm1(-0.5);
  ASSERT_GT(knowing, 20000.0);
  EXPECT_NEAR(left, knowing * p, 5.0 * std::sqrt(knowing * p * (1 - p)));
  EXPECT_EQ(find_invariant_violation(m, s), "");
}

TEST(Information, InvariantsHoldWithInformationDynamics) {
  const Model m = compile(parse_scenario(
      testing::tiny_scenario_yaml(), "tiny.yaml",
      {"information.initial_route_awareness=0.01", "information.contagion_rate_per_day=0.2",
       "information.guide_rate_per_day=0.5", "information.global_mixing=0.1", "communities.count=7",
       "decisions.success_weight=2", "decisions.danger_weight=5", "decisions.cost_elasticity=1"}));
  State s = make_state(m);
  run_replicate(m, 0, s, [&](const State& state, const char* stage) {
    ASSERT_EQ(find_invariant_violation(m, state), "")
        << "step " << state.step << " after " << stage;
  });
}

}  // namespace
}  // namespace migrasim
