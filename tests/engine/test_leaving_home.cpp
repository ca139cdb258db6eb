// Agents at home are two bytes each; they are materialised in the agent
// columns when they leave: in the next slots, in increasing home index, with
// the attributes their population stream gives their home index and what
// they learnt at home; and who knows the route or of legal pathways at the
// start is picked per community with the scenario's probabilities.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "engine/home_knowledge.hpp"
#include "engine/invariants.hpp"
#include "engine/simulation.hpp"
#include "engine/stages/stages.hpp"
#include "model/model.hpp"
#include "test_support.hpp"

namespace migrasim {
namespace {

Model tiny_model(const std::vector<std::string>& overrides) {
  return compile(parse_scenario(testing::tiny_scenario_yaml(), "tiny.yaml", overrides));
}

TEST(LeavingHome, LeaversTakeTheNextSlotsWithTheirHomeAttributes) {
  const Model m = tiny_model({"population.agents=20000", "information.initial_legal_awareness=0.3",
                              "decisions.success_weight=2", "decisions.cost_elasticity=1"});
  State s = make_state(m);
  std::size_t slots_before = 0, materialised = 0;
  run_replicate(m, 0, s, [&](const State& state, const char* stage) {
    if (std::string_view(stage) != "decisions") {
      slots_before = state.agents.size();
      return;
    }
    const Agents& a = state.agents;
    const StreamKey key = population_stream(m, state);
    for (std::size_t j = slots_before; j < a.size(); ++j) {
      const std::uint32_t h = a.home[j];
      ASSERT_LT(h, m.home_agents);
      if (j > slots_before) {
        ASSERT_GT(h, a.home[j - 1]) << "slots in increasing home index";
      }
      ASSERT_EQ(state.home_status[h], Status::kAspiring);
      ASSERT_EQ(a.status[j], Status::kAspiring);
      ASSERT_EQ(a.status_step[j], state.step);
      ASSERT_GE(h, m.community_first_agent[a.community[j]]);
      ASSERT_LT(h, m.community_first_agent[a.community[j] + 1]);
      ASSERT_EQ(a.node[j], m.region_origin[a.region[j]]);
      const AgentAttributes drawn = state.sampler->draw_one(key, h);
      ASSERT_EQ(a.savings_usd[j], drawn.savings_usd);
      ASSERT_EQ(a.risk_tolerance[j], drawn.risk_tolerance);
      ASSERT_EQ(a.claim_strength[j], drawn.claim_strength);
      ASSERT_EQ(a.flags[j] & (kFalsifiedDocuments | kHighRisk),
                drawn.flags & (kFalsifiedDocuments | kHighRisk));
      // What it knew at home: the route (it could not have decided
      // otherwise), and legal pathways if it came early enough in that order.
      ASSERT_TRUE(a.flags[j] & kRouteAware);
      ASSERT_TRUE(knows_route(m, state.communities, a.community[j], h));
      ASSERT_EQ((a.flags[j] & kLegalAware) != 0,
                knows_of_pathways(m, state.communities, a.community[j], h));
      ++materialised;
    }
  });
  EXPECT_GT(materialised, 500u);
}

TEST(LeavingHome, DrawOneAndDrawManyGiveTheBitsOfABatch) {
  const Model m = tiny_model({"population.agents=1000"});
  const PopulationSampler sampler(m);
  const StreamKey key{m.seed, 2, 0, StreamId::kInitialPopulation};
  Agents a;
  a.savings_usd.assign(PopulationSampler::kBatch, 0.0f);
  a.risk_tolerance.assign(PopulationSampler::kBatch, 0.0f);
  a.claim_strength.assign(PopulationSampler::kBatch, 0.0f);
  a.flags.assign(PopulationSampler::kBatch, 0);
  auto scratch = std::make_unique<PopulationSampler::Scratch>();
  sampler.draw(key, 300, PopulationSampler::kBatch, 0, a, *scratch);
  for (std::uint32_t j = 0; j < PopulationSampler::kBatch; ++j) {
    const AgentAttributes one = sampler.draw_one(key, 300 + j);
    ASSERT_EQ(one.savings_usd, a.savings_usd[j]) << j;
    ASSERT_EQ(one.risk_tolerance, a.risk_tolerance[j]) << j;
    ASSERT_EQ(one.claim_strength, a.claim_strength[j]) << j;
    ASSERT_EQ(one.flags, a.flags[j]) << j;
  }
  // Agents far apart, drawn together (the decisions stage's batches of picks).
  std::vector<std::uint32_t> scattered;
  for (std::uint32_t j = 0; j < 100; ++j) scattered.push_back(j * j * 7919u + 13u);
  std::vector<AgentAttributes> many(scattered.size());
  sampler.draw_many(key, scattered.data(), scattered.size(), many.data(), *scratch);
  for (std::size_t j = 0; j < scattered.size(); ++j) {
    const AgentAttributes one = sampler.draw_one(key, scattered[j]);
    ASSERT_EQ(many[j].savings_usd, one.savings_usd) << j;
    ASSERT_EQ(many[j].risk_tolerance, one.risk_tolerance) << j;
    ASSERT_EQ(many[j].claim_strength, one.claim_strength) << j;
    ASSERT_EQ(many[j].flags, one.flags) << j;
  }
  // Short batches (a community's last picks) are filled up to whole vectors
  // inside; only their own agents come back, with the same bits.
  for (const std::size_t n : {1u, 3u, 9u, 17u}) {
    std::vector<AgentAttributes> few(n + 1, AgentAttributes{-1.0f, -1.0f, -1.0f, 0xAB});
    sampler.draw_many(key, scattered.data() + 50, n, few.data(), *scratch);
    for (std::size_t j = 0; j < n; ++j) {
      const AgentAttributes one = sampler.draw_one(key, scattered[50 + j]);
      ASSERT_EQ(few[j].savings_usd, one.savings_usd) << n << " " << j;
      ASSERT_EQ(few[j].risk_tolerance, one.risk_tolerance) << n << " " << j;
      ASSERT_EQ(few[j].flags, one.flags) << n << " " << j;
    }
    EXPECT_EQ(few[n].savings_usd, -1.0f) << "wrote past the batch of " << n;
  }
}

TEST(LeavingHome, InitialAwarenessIsPickedWithTheScenarioProbabilities) {
  // Counts within 5 standard deviations of the binomial's mean, and the two
  // kinds of knowledge independent.
  for (const double p : {0.01, 0.3}) {
    const Model m = tiny_model({"population.agents=200000",
                                "information.initial_route_awareness=" + std::to_string(p),
                                "information.initial_legal_awareness=" + std::to_string(p)});
    State s = make_state(m);
    initialize_population(m, 0, s);
    double route = 0, legal = 0, both = 0;
    std::size_t community = 0;
    for (std::uint32_t h = 0; h < m.home_agents; ++h) {
      while (m.community_first_agent[community + 1] <= h) ++community;
      const bool knows = knows_route(m, s.communities, community, h);
      const bool heard = knows_of_pathways(m, s.communities, community, h);
      route += knows;
      legal += heard;
      both += knows && heard;
    }
    EXPECT_EQ(find_invariant_violation(m, s), "");
    const double n = m.home_agents;
    const double sd = std::sqrt(n * p * (1 - p));
    EXPECT_NEAR(route, n * p, 5 * sd) << p;
    EXPECT_NEAR(legal, n * p, 5 * sd) << p;
    const double sd_both = std::sqrt(n * p * p * (1 - p * p));
    EXPECT_NEAR(both, n * p * p, 5 * sd_both) << p << ": the two flags are independent";
    std::int64_t aware = 0;
    for (std::size_t k = 0; k < m.community_count(); ++k) aware += s.communities.aware[k];
    EXPECT_EQ(aware, static_cast<std::int64_t>(route) + (m.agents - m.home_agents));
  }
}

}  // namespace
}  // namespace migrasim
