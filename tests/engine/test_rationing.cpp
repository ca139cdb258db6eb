// Capacity rationing (engine/rationing.hpp): exactly `capacity` candidates,
// in agent order, and every subset of that size with the same chance.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "engine/rationing.hpp"
#include "util/random.hpp"

namespace migrasim {
namespace {

StreamKey key_at(std::uint32_t step) { return {12345, 0, step, StreamId::kAsylumQueue}; }

TEST(Rationing, KeepsExactlyCapacityInAgentOrder) {
  // Pools of very different sizes, with fewer places than half the demand
  // (the admitted are drawn) and more (those turned away are drawn).
  for (const std::int64_t agents : {15, 3'000, 900'000}) {
    for (const double share : {0.2, 0.5, 0.9}) {
      CandidatePools pools;
      pools.allocate(3, static_cast<std::size_t>(agents));
      pools.gather(3, agents, [](std::int64_t i) { return static_cast<std::uint32_t>(i % 3); });
      for (std::uint32_t pool = 0; pool < 3; ++pool) {
        std::vector<std::uint32_t> candidates;
        for (std::int64_t i = pool; i < agents; i += 3)
          candidates.push_back(static_cast<std::uint32_t>(i));
        ASSERT_EQ(pools.demand(pool), candidates.size());
        const auto keep = static_cast<std::size_t>(share * static_cast<double>(candidates.size()));
        pools.ration(pool, static_cast<double>(keep), key_at(7 + pool));  // whole: no extra draw
        const auto admitted = pools.admitted(pool);
        const auto rejected = pools.rejected(pool);
        ASSERT_EQ(admitted.size(), keep) << agents << " " << pool;
        EXPECT_TRUE(std::is_sorted(admitted.begin(), admitted.end()));
        EXPECT_TRUE(std::is_sorted(rejected.begin(), rejected.end()));
        // Admitted and turned away are the candidates, each once.
        std::vector<std::uint32_t> all(admitted.begin(), admitted.end());
        all.insert(all.end(), rejected.begin(), rejected.end());
        std::sort(all.begin(), all.end());
        EXPECT_EQ(all, candidates) << agents << " " << pool;
      }
    }
  }
}

TEST(Rationing, EveryPairOfCandidatesHasTheChanceOfAUniformSubset) {
  // 40 candidates, 10 places (admitted drawn) and 30 (turned away drawn):
  // a pair is admitted together with chance k (k - 1) / (n (n - 1)), which
  // independent admissions (k/n)^2 or a biased sampler would miss. 6,000
  // steps: the count of pair (0, 39) within 5 sd.
  constexpr std::int64_t kAgents = 40;
  constexpr int kSteps = 6000;
  for (const double places : {10.0, 30.0}) {
    CandidatePools pools;
    pools.allocate(1, kAgents);
    int together = 0, first_alone = 0;
    for (int step = 0; step < kSteps; ++step) {
      pools.gather(1, kAgents, [](std::int64_t) { return 0u; });
      pools.ration(0, places, key_at(static_cast<std::uint32_t>(step)));
      const auto admitted = pools.admitted(0);
      const bool a = std::binary_search(admitted.begin(), admitted.end(), 0u);
      const bool b = std::binary_search(admitted.begin(), admitted.end(), 39u);
      together += a && b;
      first_alone += a;
    }
    const double n = kAgents, k = places;
    const double p_pair = k * (k - 1) / (n * (n - 1));
    EXPECT_NEAR(together, kSteps * p_pair, 5 * std::sqrt(kSteps * p_pair * (1 - p_pair))) << places;
    const double p_one = k / n;
    EXPECT_NEAR(first_alone, kSteps * p_one, 5 * std::sqrt(kSteps * p_one * (1 - p_one))) << places;
  }
}

TEST(Rationing, NoCapacityAdmitsNoneAndEnoughAdmitsAll) {
  CandidatePools pools;
  pools.allocate(1, 1000);
  pools.gather(1, 1000, [](std::int64_t) { return 0u; });
  pools.ration(0, 0.0, key_at(1));
  EXPECT_EQ(pools.admitted(0).size(), 0u);
  EXPECT_EQ(pools.rejected(0).size(), 1000u);
  pools.gather(1, 1000, [](std::int64_t) { return 0u; });
  pools.ration(0, 1000.0, key_at(1));
  EXPECT_EQ(pools.admitted(0).size(), 1000u);
}

TEST(Rationing, EveryCandidateHasTheSameChance) {
  // 2,000 candidates, 150 places, 400 steps: each is admitted Binomial(400,
  // 0.075) times, mean 30, sd 5.3; none strays beyond 6 sd, the counts' mean
  // is exact (each step admits exactly 150), and their spread is the
  // binomial's.
  constexpr std::int64_t kAgents = 2000;
  constexpr double kPlaces = 150.0;
  constexpr int kSteps = 400;
  CandidatePools pools;
  pools.allocate(1, kAgents);
  std::vector<int> admitted_times(kAgents, 0);
  for (int step = 0; step < kSteps; ++step) {
    pools.gather(1, kAgents, [](std::int64_t) { return 0u; });
    pools.ration(0, kPlaces, key_at(static_cast<std::uint32_t>(step)));
    ASSERT_EQ(pools.admitted(0).size(), 150u);
    for (const std::uint32_t i : pools.admitted(0)) ++admitted_times[i];
  }
  const double p = kPlaces / kAgents;
  const double mean = kSteps * p, sd = std::sqrt(kSteps * p * (1 - p));
  double sum = 0.0, sum_sq = 0.0;
  for (const int times : admitted_times) {
    EXPECT_LT(std::abs(times - mean), 6 * sd);
    sum += times;
    sum_sq += (times - mean) * (times - mean);
  }
  EXPECT_DOUBLE_EQ(sum / kAgents, mean);
  // The spread of the counts is the binomial's (its variance within 15%:
  // the sample variance of 2,000 counts has relative sd about 3%).
  EXPECT_NEAR(sum_sq / kAgents / (sd * sd), 1.0, 0.15);
}

TEST(Rationing, AFractionalCapacityAdmitsOneMoreAtItsFraction) {
  constexpr int kSteps = 4000;
  CandidatePools pools;
  pools.allocate(1, 100);
  int extra = 0;
  for (int step = 0; step < kSteps; ++step) {
    pools.gather(1, 100, [](std::int64_t) { return 0u; });
    pools.ration(0, 10.25, key_at(static_cast<std::uint32_t>(step)));
    const std::size_t n = pools.admitted(0).size();
    ASSERT_TRUE(n == 10 || n == 11) << n;
    extra += n == 11;
  }
  // Binomial(4000, 0.25): sd 27.4; within 5 sd.
  EXPECT_NEAR(extra, 1000, 5 * 27.4);
}

}  // namespace
}  // namespace migrasim
