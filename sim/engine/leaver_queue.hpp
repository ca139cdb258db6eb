// Those who leave home in a step, queued by the decisions stage before they
// are given slots (leaving_home.hpp). Each thread of the stage's team works on
// a contiguous block of home indices (whole communities) and queues its
// leavers in its own list: threads never write to the same place, and the
// lists, each sorted, taken in thread order are in increasing home index for
// any number of threads. A leaver keeps the attributes its decision drew, so
// that they are not drawn again when it takes its slot.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/population_sampler.hpp"

namespace migrasim {

struct Leaver {
  std::uint32_t home;
  AgentAttributes attributes;  // as PopulationSampler draws them, if its decision drew them
};

class LeaverQueue {
 public:
  // Lists for up to `threads` threads at a time.
  void allocate(std::size_t threads) { queued_.assign(threads, {}); }

  std::size_t threads() const { return queued_.size(); }
  std::size_t bytes() const {
    std::size_t total = 0;
    for (const auto& list : queued_) total += list.capacity() * sizeof(Leaver);
    return total;
  }

  // Thread t queues the member at home index `home` of its block.
  void queue(std::size_t t, std::uint32_t home, const AgentAttributes& attributes) {
    queued_[t].push_back({home, attributes});
  }

  // What thread t queued.
  std::span<const Leaver> queued(std::size_t t) const { return queued_[t]; }

  // Puts thread t's list in increasing home index.
  void sort(std::size_t t) {
    std::sort(queued_[t].begin(), queued_[t].end(),
              [](const Leaver& x, const Leaver& y) { return x.home < y.home; });
  }

  // Empties every thread's list.
  void clear() {
    for (auto& list : queued_) list.clear();
  }

 private:
  std::vector<std::vector<Leaver>> queued_;  // (threads)
};

}  // namespace migrasim
