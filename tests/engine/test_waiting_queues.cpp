// Queues of agents waiting for a capacity (engine/waiting_queues.hpp): they
// hold exactly who waits, whatever the order they joined in, only those
// waiting long enough are chosen, and a choice of k among n is a uniformly
// random subset, on both of its paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "engine/rationing.hpp"
#include "engine/state.hpp"
#include "engine/waiting_queues.hpp"

namespace migrasim {
namespace {

constexpr std::int32_t kAny = std::numeric_limits<std::int32_t>::max();

// n agents waiting for a smuggler since step 3.
Agents waiting_agents(std::size_t n) {
  Agents a;
  a.status.assign(n, Status::kWaitingForSmuggler);
  a.status_step.assign(n, 3);
  return a;
}

// What each queue should hold: agent i in queue i % 3.
std::vector<std::int64_t> counted(const Agents& a) {
  std::vector<std::int64_t> in(3, 0);
  for (std::size_t i = 0; i < a.size(); ++i)
    in[i % 3] += a.status[i] == Status::kWaitingForSmuggler;
  return in;
}

TEST(WaitingQueues, HoldWhoWaitsInAgentOrderWhateverTheJoiningOrder) {
  Agents a = waiting_agents(99);
  WaitingQueues queues;
  queues.allocate(3, 3, Status::kWaitingForSmuggler);
  // Joined from three threads, in no particular order.
  for (std::uint32_t i = 99; i-- > 0;) queues.join((i * 7) % 3, i, 3, i % 3);
  EXPECT_EQ(queues.check(a, counted(a)), "") << "joins not yet settled count as waiting";
  queues.settle();
  EXPECT_EQ(queues.check(a, counted(a)), "");
  for (std::size_t q = 0; q < 3; ++q) {
    EXPECT_EQ(queues.waiting(q), 33);
    const auto entries = queues.queue(q);
    EXPECT_TRUE(std::is_sorted(entries.begin(), entries.end(),
                               [](const auto& x, const auto& y) { return x.agent < y.agent; }));
  }
  // Three leave queue 0: their entries stay, counted dead.
  for (const std::uint32_t i : {3u, 6u, 9u}) {
    queues.left(1, 0);
    a.status[i] = Status::kInTransit;
  }
  queues.settle();
  EXPECT_EQ(queues.waiting(0), 30);
  EXPECT_EQ(queues.check(a, counted(a)), "");
  // A miscount is caught.
  a.status[12] = Status::kInTransit;
  EXPECT_NE(queues.check(a, counted(a)), "");
  a.status[12] = Status::kWaitingForSmuggler;
  // Choosing at least as many as wait in queue 0 takes exactly those.
  std::vector<std::uint32_t> chosen;
  const std::vector<std::size_t> open{0};
  Draws draws = pool_draws(StreamKey{1, 0, 0, StreamId::kSmugglerQueue}, 0);
  queues.choose(a, open, 30, kAny, draws, {1, 0, 0, StreamId::kSmugglerQueue}, chosen);
  ASSERT_EQ(chosen.size(), 30u);
  for (const std::uint32_t i : chosen) {
    EXPECT_EQ(i % 3, 0u);
    EXPECT_TRUE(i != 3 && i != 6 && i != 9);
  }
  EXPECT_EQ(queues.waiting(0), 0);
}

TEST(WaitingQueues, OnlyThoseWaitingLongEnoughAreChosen) {
  // Agents 0-59 began waiting at steps 0, 1, ..., 5 (ten each): with ready
  // step 2 only agents 0-29 may be chosen, and all of them when places are
  // ample.
  Agents a = waiting_agents(60);
  WaitingQueues queues;
  queues.allocate(1, 1, Status::kWaitingForSmuggler);
  for (std::int32_t step = 0; step < 6; ++step) {
    for (std::uint32_t i = 10 * static_cast<std::uint32_t>(step); i < 10 * (step + 1u); ++i) {
      a.status_step[i] = step;
      queues.join(0, i, step, 0);
    }
    queues.settle();
  }
  const std::vector<std::size_t> open{0};
  std::vector<std::uint32_t> chosen;
  Draws draws = pool_draws(StreamKey{2, 0, 0, StreamId::kAsylumQueue}, 0);
  queues.choose(a, open, 5, 2, draws, {2, 0, 0, StreamId::kAsylumQueue}, chosen);
  ASSERT_EQ(chosen.size(), 5u);
  for (const std::uint32_t i : chosen) EXPECT_LT(i, 30u);
  for (const std::uint32_t i : chosen) a.status[i] = Status::kAdmitted;
  queues.choose(a, open, 1000, 2, draws, {2, 1, 0, StreamId::kAsylumQueue}, chosen);
  EXPECT_EQ(chosen.size(), 25u) << "the rest of those ready";
  for (const std::uint32_t i : chosen) EXPECT_LT(i, 30u);
  EXPECT_EQ(queues.waiting(0), 30);
}

TEST(WaitingQueues, AChoiceIsAUniformSubsetOfThoseWaiting) {
  // 40 waiting in queues 0 and 2 (both open; queue 1 closed), a tenth of the
  // entries dead; 6,000 choices of k: each waiting agent chosen with chance
  // k/n, a pair with k (k - 1) / (n (n - 1)), the dead and the closed queue's
  // never. k = 8 takes the rejection path, k = 30 Floyd's algorithm.
  constexpr int kChoices = 6000;
  for (const std::int64_t k : {8, 30}) {
    std::vector<int> times(66, 0);
    int pair = 0;
    for (int c = 0; c < kChoices; ++c) {
      Agents a = waiting_agents(66);
      WaitingQueues queues;
      queues.allocate(3, 1, Status::kWaitingForSmuggler);
      for (std::uint32_t i = 0; i < 66; ++i) queues.join(0, i, 3, i % 3);
      for (const std::uint32_t i : {0u, 15u, 30u, 47u}) {
        queues.left(0, i % 3);
        a.status[i] = Status::kInTransit;
      }
      queues.settle();
      ASSERT_EQ(queues.waiting(0) + queues.waiting(2), 40);
      std::vector<std::uint32_t> chosen;
      const StreamKey key{77, 0, static_cast<std::uint32_t>(c), StreamId::kSmugglerQueue};
      Draws draws = pool_draws(key, 0);
      const std::vector<std::size_t> open{0, 2};
      queues.choose(a, open, k, kAny, draws, key, chosen);
      ASSERT_EQ(static_cast<std::int64_t>(chosen.size()), k);
      ASSERT_TRUE(std::is_sorted(chosen.begin(), chosen.end()));
      ASSERT_TRUE(std::adjacent_find(chosen.begin(), chosen.end()) == chosen.end());
      for (const std::uint32_t i : chosen) ++times[i];
      pair += std::binary_search(chosen.begin(), chosen.end(), 2u) &&
              std::binary_search(chosen.begin(), chosen.end(), 63u);
      // The chosen leave the queues as they set out.
      for (const std::uint32_t i : chosen) a.status[i] = Status::kInTransit;
      ASSERT_EQ(queues.waiting(0) + queues.waiting(2), 40 - k);
      ASSERT_EQ(queues.check(a, counted(a)), "");
    }
    const double n = 40, p = static_cast<double>(k) / n;
    const double sd = std::sqrt(kChoices * p * (1 - p));
    for (std::uint32_t i = 0; i < 66; ++i) {
      if (i % 3 == 1 || i == 0 || i == 15 || i == 30 || i == 47) {
        EXPECT_EQ(times[i], 0) << "agent " << i;
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
