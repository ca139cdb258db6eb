// The picks of home_draws.hpp: each eligible agent with probability p and
// independently of the others, by geometric gaps along a sequence of agents,
// in order, with a uniform for thinning; and the threads' shares of
// communities. (The dense pass, one draw per agent, is for_each_drawn_below:
// test_agent_scan.cpp.)
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/home_draws.hpp"
#include "test_support.hpp"

namespace migrasim {
namespace {

struct PickCounts {
  std::vector<std::int64_t> per_agent;
  std::int64_t adjacent_pairs = 0;  // agents i and i + 1 both picked in the same step
  double u_sum = 0.0;
  std::int64_t picks = 0;
  bool increasing = true;
};

// Picks over `steps` steps (independent keys) among agents [first, last), of
// whom every third is ineligible when `every_third_ineligible`.
PickCounts count_picks(double p, std::int64_t first, std::int64_t last, int steps,
                       bool every_third_ineligible) {
  std::vector<Status> status(static_cast<std::size_t>(last), Status::kAtHome);
  if (every_third_ineligible) {
    for (std::size_t i = 0; i < status.size(); i += 3) status[i] = Status::kEvaded;
  }
  PickCounts counts;
  counts.per_agent.assign(static_cast<std::size_t>(last), 0);
  for (int step = 0; step < steps; ++step) {
    const StreamKey sparse{7, 1, static_cast<std::uint32_t>(step), StreamId::kRouteLearning};
    std::int64_t previous = -1;
    for_each_picked(
        sparse, 3, last - first, p, [&](std::int64_t r) { return first + r; },
        [&](std::uint32_t h) { return status[h] == Status::kAtHome; },
        [&](std::int64_t i, double u) {
          counts.increasing = counts.increasing && i > previous && i >= first && i < last;
          counts.adjacent_pairs += previous == i - 1;
          previous = i;
          ++counts.per_agent[static_cast<std::size_t>(i)];
          counts.u_sum += u;
          ++counts.picks;
        });
  }
  return counts;
}

TEST(HomeDraws, EachEligibleAgentIsPickedWithProbabilityP) {
  // Geometric gaps at small and large p (callers take the dense pass from
  // 1/16 on: dense_pass).
  for (const double p : {0.002, 0.03, 0.2}) {
    const std::int64_t first = 10, last = 3010;
    const int steps = 400;
    const PickCounts c = count_picks(p, first, last, steps, true);
    EXPECT_TRUE(c.increasing) << p;
    std::int64_t eligible = 0;
    for (std::int64_t i = 0; i < last; ++i) {
      if (i % 3 == 0 || i < first) {
        EXPECT_EQ(c.per_agent[static_cast<std::size_t>(i)], 0) << p << " agent " << i;
      } else {
        ++eligible;
      }
    }
    // Total picks: binomial(eligible x steps, p), within 5 standard deviations.
    const double trials = static_cast<double>(eligible) * steps;
    EXPECT_NEAR(static_cast<double>(c.picks), trials * p, 5.0 * std::sqrt(trials * p * (1 - p)))
        << p;
    // The thinning uniform: mean 1/2, standard error sqrt(1/12 / picks).
    EXPECT_NEAR(c.u_sum / static_cast<double>(c.picks), 0.5,
                5.0 * std::sqrt(1.0 / 12.0 / static_cast<double>(c.picks)))
        << p;
    // Every agent alike: the first and last thirds of the range get the same
    // share of picks (difference within 5 standard deviations).
    std::int64_t early = 0, late = 0;
    for (std::int64_t i = first; i < first + 999; ++i) early += c.per_agent[i];
    for (std::int64_t i = last - 999; i < last; ++i) late += c.per_agent[i];
    EXPECT_NEAR(static_cast<double>(early - late), 0.0,
                5.0 * std::sqrt(static_cast<double>(early + late)))
        << p;
  }
}

TEST(HomeDraws, PicksOfNeighboursAreIndependent) {
  // Every agent eligible: both of two neighbours are picked with chance p^2.
  // A gap off by one would make this 0 (or p).
  for (const double p : {0.01, 0.05, 0.3}) {
    const std::int64_t n = 5000;
    const int steps = 200;
    const PickCounts c = count_picks(p, 0, n, steps, false);
    const double pairs = static_cast<double>(n - 1) * steps;
    EXPECT_NEAR(static_cast<double>(c.adjacent_pairs), pairs * p * p,
                5.0 * std::sqrt(pairs * p * p * (1 - p * p)))
        << p;
  }
}

TEST(HomeDraws, ProbabilityZeroPicksNobodyAndOnePicksEveryEligibleAgent) {
  EXPECT_EQ(count_picks(0.0, 0, 1000, 5, true).picks, 0);
  const PickCounts all = count_picks(1.0, 0, 999, 5, true);
  EXPECT_EQ(all.picks, 5 * 666);
}

TEST(HomeDraws, ThreadSharesAreWholeCommunitiesInOrder) {
  const Model m =
      compile(parse_scenario(testing::tiny_scenario_yaml(), "tiny.yaml", {"communities.count=37"}));
  for (std::int64_t team = 1; team <= 6; ++team) {
    std::size_t next = 0;
    for (std::int64_t t = 0; t < team; ++t) {
      const auto [first, last] = community_share(m, t, team);
      EXPECT_EQ(first, next) << team;
      EXPECT_LE(first, last);
      next = last;
    }
    EXPECT_EQ(next, m.community_count()) << team;
  }
}

}  // namespace
}  // namespace migrasim
