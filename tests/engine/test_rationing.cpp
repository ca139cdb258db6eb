// Capacity rationing (engine/rationing.hpp): exactly `capacity` candidates,
// the same ones as the lowest priorities drawn from their own streams, in
// agent order, and each candidate with the same chance.
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

// The candidates of a pool that the lowest priorities pick: the reference
// any selection method must reproduce.
std::vector<std::uint32_t> lowest(const std::vector<std::uint32_t>& candidates, std::size_t keep,
                                  const StreamKey& key) {
  std::vector<std::uint32_t> bits(candidates.size());
  first_bits(key, candidates, bits.data());
  std::vector<std::uint64_t> priority(candidates.size());
  for (std::size_t k = 0; k < candidates.size(); ++k)
    priority[k] = std::uint64_t{bits[k]} << 32 | candidates[k];
  std::sort(priority.begin(), priority.end());
  std::vector<std::uint32_t> chosen;
  for (std::size_t k = 0; k < keep; ++k) chosen.push_back(static_cast<std::uint32_t>(priority[k]));
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

TEST(Rationing, KeepsExactlyTheLowestPrioritiesInAgentOrder) {
  // Pools of very different sizes: 5 candidates up to 300,000 (the top-bits
  // buckets run from 1 to 15 bits).
  for (const std::int64_t agents : {15, 3'000, 900'000}) {
    CandidatePools pools;
    pools.allocate(3, static_cast<std::size_t>(agents));
    pools.gather(3, agents, [](std::int64_t i) { return static_cast<std::uint32_t>(i % 3); });
    for (std::uint32_t pool = 0; pool < 3; ++pool) {
      std::vector<std::uint32_t> candidates;
      for (std::int64_t i = pool; i < agents; i += 3)
        candidates.push_back(static_cast<std::uint32_t>(i));
      ASSERT_EQ(pools.demand(pool), candidates.size());
      const std::size_t keep = candidates.size() / (pool + 2);  // whole: no fractional draw
      const StreamKey key = key_at(7 + pool);
      pools.ration(pool, static_cast<double>(keep), key);
      const auto admitted = pools.admitted(pool);
      const auto rejected = pools.rejected(pool);
      ASSERT_EQ(admitted.size(), keep) << agents << " " << pool;
      EXPECT_TRUE(std::is_sorted(admitted.begin(), admitted.end()));
      EXPECT_TRUE(std::is_sorted(rejected.begin(), rejected.end()));
      EXPECT_EQ(std::vector<std::uint32_t>(admitted.begin(), admitted.end()),
                lowest(candidates, keep, key))
          << agents << " " << pool;
      // Admitted and turned away are the candidates, each once.
      std::vector<std::uint32_t> all(admitted.begin(), admitted.end());
      all.insert(all.end(), rejected.begin(), rejected.end());
      std::sort(all.begin(), all.end());
      EXPECT_EQ(all, candidates);
    }
  }
}

TEST(Rationing, APoolOfMoreThanHalfAMillionUsesEveryBucketBit) {
  // 600,000 candidates: 2^16 buckets of about 9 each.
  constexpr std::int64_t kAgents = 600'000;
  CandidatePools pools;
  pools.allocate(1, kAgents);
  pools.gather(1, kAgents, [](std::int64_t) { return 0u; });
  std::vector<std::uint32_t> candidates(kAgents);
  for (std::int64_t i = 0; i < kAgents; ++i) candidates[i] = static_cast<std::uint32_t>(i);
  const std::size_t keep = 212'345;
  pools.ration(0, static_cast<double>(keep), key_at(3));
  const auto admitted = pools.admitted(0);
  EXPECT_EQ(std::vector<std::uint32_t>(admitted.begin(), admitted.end()),
            lowest(candidates, keep, key_at(3)));
  EXPECT_TRUE(std::is_sorted(pools.rejected(0).begin(), pools.rejected(0).end()));
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
