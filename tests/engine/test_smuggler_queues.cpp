// The queues of those waiting for a smuggler (engine/smuggler_queues.hpp):
// they hold exactly who waits, whatever the order they joined in, and a
// choice of k among n is a uniformly random subset, on both of its paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/smuggler_queues.hpp"
#include "engine/state.hpp"

namespace migrasim {
namespace {

// Edge 0 is covered by networks 0 and 1, edge 1 by network 0: queues 0 (network
// 0, edge 0), 1 (network 1, edge 0) and 2 (network 0, edge 1).
Model two_edges() {
  Model m;
  m.edge_first_network = {0, 2, 3};
  m.edge_networks = {0, 1, 0};
  return m;
}

// n agents waiting since step 3: agent i on edge i % 2 with network 0.
Agents waiting_agents(std::size_t n) {
  Agents a;
  a.status.assign(n, Status::kWaitingForSmuggler);
  a.status_step.assign(n, 3);
  a.edge.resize(n);
  a.smuggler.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) a.edge[i] = static_cast<EdgeId>(i % 2);
  return a;
}

TEST(SmugglerQueues, HoldWhoWaitsInAgentOrderWhateverTheJoiningOrder) {
  const Model m = two_edges();
  Agents a = waiting_agents(100);
  for (std::size_t i = 0; i < 100; i += 10) a.smuggler[i] = 1;  // edge 0, network 1
  SmugglerQueues queues;
  queues.allocate(m, 3);
  // Joined from three threads, in no particular order.
  for (std::uint32_t i = 100; i-- > 0;)
    queues.join(i % 3, i, 3, queues.pair_of(m, a.edge[i], a.smuggler[i]));
  EXPECT_EQ(queues.check(m, a), "") << "joins not yet settled count as waiting";
  queues.settle();
  EXPECT_EQ(queues.check(m, a), "");
  EXPECT_EQ(queues.waiting(0), 40);
  EXPECT_EQ(queues.waiting(1), 10);
  EXPECT_EQ(queues.waiting(2), 50);
  for (std::size_t q = 0; q < 3; ++q) {
    const auto entries = queues.queue(q);
    EXPECT_TRUE(std::is_sorted(entries.begin(), entries.end(),
                               [](const auto& x, const auto& y) { return x.agent < y.agent; }));
  }
  // Three give up: their entries stay, counted dead.
  for (const std::uint32_t i : {2u, 4u, 6u}) {
    queues.gave_up(1, queues.pair_of(m, a.edge[i], a.smuggler[i]));
    a.status[i] = Status::kInTransit;
  }
  queues.settle();
  EXPECT_EQ(queues.waiting(0), 37);
  EXPECT_EQ(queues.check(m, a), "");
  // Taking all of queue 0 takes exactly those still waiting there.
  std::vector<std::uint32_t> chosen;
  const std::vector<std::size_t> open{0};
  queues.take_all(a, open, chosen);
  ASSERT_EQ(chosen.size(), 37u);
  for (const std::uint32_t i : chosen) {
    EXPECT_EQ(i % 2, 0u);
    EXPECT_NE(i % 10, 0u);
    EXPECT_TRUE(i != 2 && i != 4 && i != 6);
  }
  EXPECT_EQ(queues.waiting(0), 0);
}

TEST(SmugglerQueues, AChoiceIsAUniformSubsetOfThoseWaiting) {
  // 40 waiting in queues 0 and 2 (both open), a tenth of the entries dead;
  // 6,000 choices of k: each waiting agent chosen with chance k/n, a pair
  // with k (k - 1) / (n (n - 1)), the dead never. k = 8 takes the rejection
  // path, k = 30 Floyd's algorithm.
  const Model m = two_edges();
  constexpr int kChoices = 6000;
  for (const std::int64_t k : {8, 30}) {
    std::vector<int> times(44, 0);
    int pair = 0;
    for (int c = 0; c < kChoices; ++c) {
      Agents a = waiting_agents(44);
      SmugglerQueues queues;
      queues.allocate(m, 1);
      for (std::uint32_t i = 0; i < 44; ++i) queues.join(0, i, 3, queues.pair_of(m, a.edge[i], 0));
      for (const std::uint32_t i : {5u, 10u, 15u, 20u}) {
        queues.gave_up(0, queues.pair_of(m, a.edge[i], a.smuggler[i]));
        a.status[i] = Status::kInTransit;
      }
      queues.settle();
      ASSERT_EQ(queues.waiting(0) + queues.waiting(2), 40);
      std::vector<std::uint32_t> chosen;
      const StreamKey key{77, 0, static_cast<std::uint32_t>(c), StreamId::kSmugglerQueue};
      Draws draws(key, CandidatePools::kPoolEntityBase);
      const std::vector<std::size_t> open{0, 2};
      queues.choose(a, open, k, draws, key, chosen);
      ASSERT_EQ(static_cast<std::int64_t>(chosen.size()), k);
      ASSERT_TRUE(std::is_sorted(chosen.begin(), chosen.end()));
      ASSERT_TRUE(std::adjacent_find(chosen.begin(), chosen.end()) == chosen.end());
      for (const std::uint32_t i : chosen) ++times[i];
      pair += std::binary_search(chosen.begin(), chosen.end(), 1u) &&
              std::binary_search(chosen.begin(), chosen.end(), 42u);
      // The chosen are out of the queues once they travel.
      for (const std::uint32_t i : chosen) a.status[i] = Status::kInTransit;
      ASSERT_EQ(queues.waiting(0) + queues.waiting(2), 40 - k);
      ASSERT_EQ(queues.check(m, a), "");
    }
    const double n = 40, p = static_cast<double>(k) / n;
    const double sd = std::sqrt(kChoices * p * (1 - p));
    for (std::uint32_t i = 0; i < 44; ++i) {
      if (i == 5 || i == 10 || i == 15 || i == 20) {
        EXPECT_EQ(times[i], 0) << "agent " << i << " gave up";
      } else {
        EXPECT_NEAR(times[i], kChoices * p, 5 * sd) << "k " << k << ", agent " << i;
      }
    }
    const double p_pair = static_cast<double>(k * (k - 1)) / (n * (n - 1));
    EXPECT_NEAR(pair, kChoices * p_pair, 5 * std::sqrt(kChoices * p_pair * (1 - p_pair))) << k;
  }
}

}  // namespace
}  // namespace migrasim
