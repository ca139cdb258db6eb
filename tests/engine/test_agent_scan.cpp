// The agent loops of agent_scan.hpp visit exactly the agents a plain loop
// would, in order.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "engine/agent_scan.hpp"
#include "test_support.hpp"

namespace migrasim {
namespace {

TEST(AgentScan, AgentsInAStatusRangeAreVisitedInOrder) {
  // Mostly in one status, with runs and scattered agents in every status,
  // over several select batches.
  std::vector<Status> status(3000, Status::kEvaded);
  Draws draws(StreamKey{3, 0, 0, StreamId::kMovement}, 0);
  for (std::size_t i = 0; i < status.size(); ++i) {
    if (draws.uniform() < 0.15) status[i] = static_cast<Status>(draws.bits() % kStatusCount);
  }
  for (std::size_t i = 500; i < 1040; ++i) status[i] = Status::kDied;
  status[0] = Status::kInTransit;
  status[2999] = Status::kAspiring;
  Agents a;
  a.status = status;
  for (int first = 0; first < static_cast<int>(kStatusCount); ++first) {
    for (int last = first; last < static_cast<int>(kStatusCount); ++last) {
      std::vector<std::int64_t> expected, visited, gathered, prefetched;
      for (std::size_t i = 0; i < status.size(); ++i) {
        const int code = static_cast<int>(status[i]);
        if (code >= first && code <= last) expected.push_back(static_cast<std::int64_t>(i));
      }
      for (std::int64_t t = 0; t < 3; ++t) {
        for_each_slot_in_status(
            a, static_cast<Status>(first), static_cast<Status>(last), t, 3,
            [&](std::int64_t i) { visited.push_back(i); },
            [&](std::uint32_t i) { prefetched.push_back(i); });
      }
      EXPECT_EQ(visited, expected) << "statuses " << first << "-" << last;
      // Each visit but the last few of each batch was announced ahead.
      for (const std::int64_t i : prefetched) {
        EXPECT_TRUE(std::binary_search(expected.begin(), expected.end(), i));
      }
      const SlotsInStatus scan{status.data(), static_cast<Status>(first),
                               static_cast<Status>(last)};
      for (const auto& [lo, hi] :
           {std::pair<std::int64_t, std::int64_t>{0, 1000}, {1000, 1001}, {1001, 3000}}) {
        scan(lo, hi, [&](std::int64_t i) { gathered.push_back(i); });
      }
      EXPECT_EQ(gathered, expected) << "statuses " << first << "-" << last;
    }
  }
}

TEST(AgentScan, AVisitMayChangeTheStatusOfTheAgentItVisits) {
  // Every aspirant becomes in transit as it is visited: each is visited once,
  // and none of those already in transit is.
  std::vector<Status> status(5000, Status::kInTransit);
  for (std::size_t i = 0; i < status.size(); i += 3) status[i] = Status::kAspiring;
  std::vector<std::int64_t> visited;
  visit_in_status(status.data(), Status::kAspiring, Status::kAspiring, 0, 5000,
                  [&](std::int64_t i) {
                    visited.push_back(i);
                    status[static_cast<std::size_t>(i)] = Status::kInTransit;
                  });
  ASSERT_EQ(visited.size(), 1667u);
  for (std::size_t k = 0; k < visited.size(); ++k) EXPECT_EQ(visited[k], 3 * static_cast<long>(k));
}

TEST(AgentScan, SelectionMatchesAPlainLoopForEveryFilter) {
  std::vector<Status> status(3000, Status::kAtHome);
  std::vector<std::uint8_t> flags(3000, 0);
  Draws draws(StreamKey{4, 0, 0, StreamId::kMovement}, 0);
  for (std::size_t i = 0; i < status.size(); ++i) {
    if (draws.uniform() < 0.3) status[i] = static_cast<Status>(draws.bits() % kStatusCount);
    flags[i] = static_cast<std::uint8_t>(draws.bits() & 0x3F);
  }
  std::vector<std::uint32_t> ids(3000 + kSelectSlack), portable(3000 + kSelectSlack);
  for (const AgentFilter filter :
       {AgentFilter{status.data(), Status::kAtHome, Status::kAtHome, flags.data(), kRouteAware,
                    kRouteAware},
        AgentFilter{status.data(), Status::kAtHome, Status::kDied, flags.data(), kRouteAware, 0},
        AgentFilter{status.data(), Status::kAtHome, Status::kAtHome, flags.data(), kLegalAware, 0},
        AgentFilter{status.data(), Status::kAspiring, Status::kInTransit},
        AgentFilter{status.data(), Status::kDied, Status::kDied}}) {
    for (const auto& [lo, hi] :
         {std::pair<std::int64_t, std::int64_t>{0, 3000}, {1, 2999}, {64, 128}, {10, 11}}) {
      std::vector<std::uint32_t> expected;
      for (std::int64_t i = lo; i < hi; ++i) {
        const bool in_range = status[i] >= filter.first && status[i] <= filter.last;
        const bool flagged =
            filter.flag_mask == 0 || (flags[i] & filter.flag_mask) == filter.flag_value;
        if (in_range && flagged) expected.push_back(static_cast<std::uint32_t>(i));
      }
      const std::size_t n = select_agents(filter, lo, hi, ids.data());
      EXPECT_EQ(std::vector<std::uint32_t>(ids.begin(), ids.begin() + static_cast<long>(n)),
                expected);
      const std::size_t m = select_agents_portable(filter, lo, hi, portable.data());
      EXPECT_EQ(
          std::vector<std::uint32_t>(portable.begin(), portable.begin() + static_cast<long>(m)),
          expected);
    }
  }
}

TEST(AgentScan, DrawnAgentsGetTheirOwnFirstDraw) {
  const StreamKey key{11, 2, 40, StreamId::kDecisions};
  std::vector<Status> status(2000, Status::kAtHome);
  for (std::size_t i = 0; i < status.size(); i += 3) status[i] = Status::kEvaded;
  const AgentFilter at_home{status.data(), Status::kAtHome, Status::kAtHome};
  for (const std::uint64_t below :
       {std::uint64_t{1} << 32, std::uint64_t{1} << 31, std::uint64_t{12345678}}) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> seen;
    for_each_drawn_below(key, at_home, 5, 2000, below,
                         [&](std::uint32_t i, std::uint32_t bits) { seen.emplace_back(i, bits); });
    std::vector<std::pair<std::uint32_t, std::uint32_t>> expected;
    for (std::uint32_t i = 5; i < 2000; ++i) {
      const std::uint32_t bits = Draws(key, i).bits();
      if (i % 3 != 0 && bits < below) expected.emplace_back(i, bits);
    }
    EXPECT_EQ(seen, expected) << below;
  }
}

TEST(AgentScan, CommunityRunsCoverARangeCutAtCommunityBoundaries) {
  const Model m =
      compile(parse_scenario(testing::tiny_scenario_yaml(), "tiny.yaml", {"communities.count=37"}));
  for (const auto& [lo, hi] :
       {std::pair<std::int64_t, std::int64_t>{0, m.agents}, {17, 2500}, {1000, 1001}}) {
    std::int64_t next = lo;
    for_each_community_run(m, lo, hi, [&](std::size_t k, std::int64_t first, std::int64_t last) {
      EXPECT_EQ(first, next);
      EXPECT_LT(first, last);
      EXPECT_GE(first, static_cast<std::int64_t>(m.community_first_agent[k]));
      EXPECT_LE(last, static_cast<std::int64_t>(m.community_first_agent[k + 1]));
      next = last;
    });
    EXPECT_EQ(next, hi);
  }
}

}  // namespace
}  // namespace migrasim
