#include <gtest/gtest.h>
#include <omp.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "util/side_by_side.hpp"

namespace migrasim {
namespace {

TEST(SideBySide, RuleFollowsAgentsPerThreadAndTheOverride) {
  constexpr std::int64_t kLimit = kSideBySideBelowAgentsPerThread;
  EXPECT_EQ(side_by_side_threads(100'000, 10, 2, Parallelism::kAuto), 2);
  EXPECT_EQ(side_by_side_threads(100'000, 3, 8, Parallelism::kAuto), 3);
  EXPECT_EQ(side_by_side_threads(2 * kLimit - 1, 10, 2, Parallelism::kAuto), 2);
  EXPECT_EQ(side_by_side_threads(2 * kLimit, 10, 2, Parallelism::kAuto), 0);
  EXPECT_EQ(side_by_side_threads(100'000, 1, 2, Parallelism::kAuto), 0);
  EXPECT_EQ(side_by_side_threads(100'000, 10, 1, Parallelism::kSideBySide), 0);
  EXPECT_EQ(side_by_side_threads(100'000, 10, 2, Parallelism::kAgents), 0);
  EXPECT_EQ(side_by_side_threads(10 * kLimit, 10, 2, Parallelism::kSideBySide), 2);
  EXPECT_EQ(parse_parallelism("runs"), Parallelism::kSideBySide);
  EXPECT_EQ(parse_parallelism("agents"), Parallelism::kAgents);
  EXPECT_EQ(parse_parallelism("auto"), Parallelism::kAuto);
  EXPECT_FALSE(parse_parallelism("replicates").has_value());
}

// Results come out in index order whatever order the runs finish in, and each
// run's nested parallel regions get a team of one.
TEST(SideBySide, EmitsInIndexOrderAndRunsEachSingleThreaded) {
  std::vector<std::uint32_t> emitted;
  std::vector<int> teams;
  run_side_by_side(
      12, 3,
      [](std::uint32_t i) {
        int team = 0;
#pragma omp parallel
        {
#pragma omp single
          team = omp_get_num_threads();
        }
        // Later indices finish sooner, so results must wait for earlier ones.
        volatile double sink = 0.0;
        for (std::uint32_t k = 0; k < (12 - i) * 20000; ++k) sink = sink + 1.0;
        return std::pair<std::uint32_t, int>{i * 10, team};
      },
      [&](std::uint32_t i, std::pair<std::uint32_t, int> result) {
        EXPECT_EQ(result.first, i * 10);
        emitted.push_back(i);
        teams.push_back(result.second);
      });
  ASSERT_EQ(emitted.size(), 12u);
  for (std::uint32_t i = 0; i < 12; ++i) EXPECT_EQ(emitted[i], i);
  for (const int team : teams) EXPECT_EQ(team, 1);
}

// The first failure in index order is the one rethrown; nothing at or after it
// is emitted, and everything before it is.
TEST(SideBySide, FirstFailureInIndexOrderIsRethrownAndStopsEmission) {
  std::vector<std::uint32_t> emitted;
  try {
    run_side_by_side(
        8, 2,
        [](std::uint32_t i) -> int {
          if (i == 3 || i == 5) throw std::runtime_error("run " + std::to_string(i));
          return static_cast<int>(i);
        },
        [&](std::uint32_t i, int) { emitted.push_back(i); });
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "run 3");
  }
  EXPECT_EQ(emitted, (std::vector<std::uint32_t>{0, 1, 2}));
}

}  // namespace
}  // namespace migrasim
