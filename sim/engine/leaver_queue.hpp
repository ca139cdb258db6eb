// Those who leave home in a step, queued by the decisions stage before they
// are given slots (leaving_home.hpp). Each thread of the stage's team works on
// a contiguous block of home indices (whole communities) and queues its
// leavers in its own block of one array: threads never write to the same
// place, and the queues, each sorted, taken in thread order are in increasing
// home index for any number of threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "util/huge_pages.hpp"

namespace migrasim {

class LeaverQueue {
 public:
  // Room for `agents` home indices queued by up to `threads` threads at a
  // time; the only allocation (reserved, and touched only as it is used).
  void allocate(std::size_t agents, std::size_t threads) {
    queued_.allocate(agents);
    count_.assign(threads, 0);
  }

  std::size_t threads() const { return count_.size(); }
  std::size_t bytes() const { return queued_.size() * sizeof(std::uint32_t); }

  // Thread t, whose block of home indices starts at lo, queues home index i
  // (of its block).
  void queue(std::size_t t, std::int64_t lo, std::uint32_t i) {
    queued_[static_cast<std::size_t>(lo) + count_[t]++] = i;
  }

  // What thread t (block starting at lo) queued, in the order queued.
  std::span<const std::uint32_t> queued(std::size_t t, std::int64_t lo) const {
    return {queued_.data() + lo, count_[t]};
  }

  // Puts thread t's queue (block starting at lo) in increasing order.
  void sort(std::size_t t, std::int64_t lo) {
    std::sort(queued_.data() + lo, queued_.data() + lo + count_[t]);
  }

  // Empties every thread's queue.
  void clear() { std::fill(count_.begin(), count_.end(), 0); }

 private:
  UntouchedArray<std::uint32_t> queued_;  // each thread's queue at its block (agents)
  std::vector<std::size_t> count_;        // queued per thread (threads)
};

}  // namespace migrasim
