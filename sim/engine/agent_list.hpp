// A sorted list of agent indices that only grows: the agents that have left
// home, by slot (state.hpp: every slot in use, in order). A status is never re-entered and nobody
// returns to at_home, so an agent joins once (the decisions stage adds the step's new aspirants)
// and stays, whatever becomes of it. Stages that work on travellers, queues and outcomes walk this
// list instead of every agent: in a typical run it holds a few per cent of them.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "util/huge_pages.hpp"

namespace migrasim {

class AgentList {
 public:
  // Room for `agents` agents, added by up to `threads` threads at a time; the
  // only allocation (memory is reserved, and touched only as the list grows).
  void allocate(std::size_t agents, std::size_t threads) {
    list_.allocate(agents);
    pending_.allocate(agents);
    pending_count_.assign(threads, 0);
    size_ = 0;
  }

  void clear() {
    size_ = 0;
    std::fill(pending_count_.begin(), pending_count_.end(), 0);
  }

  std::size_t threads() const { return pending_count_.size(); }
  std::size_t bytes() const { return (list_.size() + pending_.size()) * sizeof(std::uint32_t); }
  std::size_t size() const { return size_; }
  std::span<const std::uint32_t> agents() const { return {list_.data(), size_}; }

  // The listed agents with indices in [lo, hi).
  std::span<const std::uint32_t> within(std::int64_t lo, std::int64_t hi) const {
    const std::uint32_t* begin = list_.data();
    const std::uint32_t* end = begin + size_;
    const std::uint32_t* first =
        std::lower_bound(begin, end, static_cast<std::uint64_t>(lo),
                         [](std::uint32_t a, std::uint64_t b) { return a < b; });
    const std::uint32_t* last =
        std::lower_bound(first, end, static_cast<std::uint64_t>(hi),
                         [](std::uint32_t a, std::uint64_t b) { return a < b; });
    return {first, static_cast<std::size_t>(last - first)};
  }

  // Thread `t` of a team that split the agents into contiguous shares in
  // thread order (thread t owns [lo, next thread's lo)) queues agent i of its
  // share, in increasing order; merge_pending() then adds every queued agent.
  // Shares do not overlap, so queued agents go to the slots of their own share.
  void queue(std::size_t t, std::int64_t lo, std::uint32_t i) {
    pending_[static_cast<std::size_t>(lo) + pending_count_[t]++] = i;
  }

  // The agents thread t queued (share starting at lo), in the order queued.
  std::span<const std::uint32_t> queued(std::size_t t, std::int64_t lo) const {
    return {pending_.data() + lo, pending_count_[t]};
  }

  // Forgets the queued agents without listing them.
  void drop_pending() { std::fill(pending_count_.begin(), pending_count_.end(), 0); }

  // Lists slots size() .. slots - 1: the slots of agents who have just left.
  void append_slots(std::size_t slots) {
    for (std::size_t k = size_; k < slots; ++k) list_[k] = static_cast<std::uint32_t>(k);
    size_ = std::max(size_, slots);
  }

  // Adds the queued agents (none of them listed yet); share_start[t] is the
  // first agent of thread t's share, as passed to queue().
  void merge_pending(std::span<const std::int64_t> share_start) {
    const std::size_t team = share_start.size();
    std::size_t added = 0;
    for (std::size_t t = 0; t < team; ++t) added += pending_count_[t];
    if (added == 0) return;
    // Merge from the back: the largest of the two lists' tails goes last.
    std::size_t out = size_ + added;
    std::size_t old = size_;
    for (std::size_t t = team; t-- > 0;) {
      const auto lo = static_cast<std::size_t>(share_start[t]);
      for (std::size_t k = pending_count_[t]; k-- > 0;) {
        const std::uint32_t agent = pending_[lo + k];
        while (old > 0 && list_[old - 1] > agent) list_[--out] = list_[--old];
        list_[--out] = agent;
      }
      pending_count_[t] = 0;
    }
    size_ += added;
  }

 private:
  UntouchedArray<std::uint32_t> list_;      // the listed agents, increasing (nagents)
  UntouchedArray<std::uint32_t> pending_;   // queued agents, at their thread's share (nagents)
  std::vector<std::size_t> pending_count_;  // queued per thread (nthreads)
  std::size_t size_ = 0;
};

}  // namespace migrasim
