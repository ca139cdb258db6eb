// Capacity rationing that never depends on loop order or thread count.
//
// Where more agents want a scarce slot (a checkpoint's throughput, asylum
// decisions, smuggler seats) than there is capacity, exactly `capacity` of the
// candidates are chosen, uniformly at random: every subset of that size is
// equally likely. Candidates are gathered into per-pool lists in agent order
// by a parallel prefix sum, so the lists are the same for any number of
// threads; the subset is drawn by Floyd's algorithm (Bentley and Floyd 1987),
// which draws one uniform integer per member of the smaller side (those
// admitted, or those turned away), so a pool costs its gathering plus a draw
// per place, not a draw per candidate. Draw j of Floyd's algorithm comes from
// the stream of the candidate at position j of the list (seed, replicate,
// step, stream, agent), so no stream runs long, whatever the pool's size. A
// capacity with a fractional part admits its integer part plus one more with
// probability equal to the fraction, so it holds exactly on average and is
// never exceeded by more than that.
#pragma once

#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

#include "util/huge_pages.hpp"
#include "util/parallel.hpp"
#include "util/random.hpp"

namespace migrasim {

// The draws of capacity pool `pool` (its places, and the draws of a waiting
// queue's choice): entity ids above any agent index.
inline Draws pool_draws(const StreamKey& key, std::size_t pool) {
  return Draws(key, 0xFFFF0000u + static_cast<std::uint32_t>(pool));
}

// The places a capacity fills this step when more want them: its whole part,
// plus one with probability its fraction (one draw from the pool's draws), so
// it holds exactly on average and is exceeded by less than one. A capacity
// beyond 2^62 counts as 2^62.
inline std::int64_t places_this_step(double capacity, Draws& pool) {
  const double whole = std::floor(capacity);
  return static_cast<std::int64_t>(std::min(whole, 0x1p62)) +
         (pool.bernoulli(capacity - whole) ? 1 : 0);
}

// Floyd's algorithm (Bentley and Floyd 1987): marks a uniformly random m of
// the positions [0, n), every subset equally likely. For j = n - m .. n - 1 a
// uniform t in [0, j] is marked, or j itself when t already is; draw j comes
// from the stream of key for entity_of(j), so no stream runs long.
// is_marked(t) and mark(t) read and set the marks.
template <class EntityOf, class IsMarked, class Mark>
void mark_random_subset(std::size_t n, std::size_t m, const StreamKey& key, EntityOf entity_of,
                        IsMarked is_marked, Mark mark) {
  for (std::size_t j = n - m; j < n; ++j) {
    Draws draws(key, entity_of(j));
    const std::size_t t = uniform_below(draws, j + 1);
    mark(is_marked(t) ? j : t);
  }
}

class CandidatePools {
 public:
  static constexpr std::uint32_t kNoPool = 0xFFFFFFFFu;

  // Allocates for up to `max_pools` pools over `agents` agents; the only
  // allocation. One object serves every stage in turn.
  void allocate(std::size_t max_pools, std::size_t agents) {
    max_pools_ = max_pools;
    pools_ = max_pools;
    threads_ = static_cast<std::size_t>(omp_get_max_threads());
    members_.allocate(agents);
    offsets_.assign(max_pools + 1, 0);
    sizes_.assign(max_pools, 0);
    thread_counts_.assign(threads_ * max_pools, 0);
    scratch_.allocate(agents);
  }

  // Calls visit(i) for every i in [lo, hi), in order.
  struct EveryAgent {
    std::int64_t work(std::int64_t n) const { return n; }
    template <class Visit>
    void operator()(std::int64_t lo, std::int64_t hi, Visit visit) const {
      for (std::int64_t i = lo; i < hi; ++i) visit(i);
    }
  };

  // Puts every agent i in [0, n) with pool_of(i) != kNoPool into its pool's
  // list (pool_of(i) < pools), in increasing agent order. scan(lo, hi, visit)
  // calls visit(i) in increasing order for the i in [lo, hi) that may be
  // candidates (a superset: pool_of decides); scan.work(n) says about how many
  // agents it visits.
  template <class PoolOf, class Scan = EveryAgent>
  void gather(std::size_t pools, std::int64_t n, PoolOf pool_of, Scan scan = {}) {
    if (pools > max_pools_) throw std::logic_error("CandidatePools: more pools than allocated");
    pools_ = pools;
    std::fill(thread_counts_.begin(), thread_counts_.end(), 0);
    // The step's team, up to the threads allocated for (team_chooser.hpp).
    const int threads = std::min(static_cast<int>(threads_), omp_get_max_threads());
#pragma omp parallel num_threads(threads) if (scan.work(n) > kSerialBelow)
    {
      const auto t = static_cast<std::size_t>(omp_get_thread_num());
      const auto team = static_cast<std::size_t>(omp_get_num_threads());
      const std::int64_t lo = n * static_cast<std::int64_t>(t) / static_cast<std::int64_t>(team);
      const std::int64_t hi =
          n * static_cast<std::int64_t>(t + 1) / static_cast<std::int64_t>(team);
      std::uint32_t* counts = thread_counts_.data() + t * pools_;
      // One visit per agent: the candidates found, with their pools, wait in
      // the rationing scratch at the thread's own share of it.
      std::uint64_t* found = scratch_.data() + lo;
      std::size_t nfound = 0;
      scan(lo, hi, [&](std::int64_t i) {
        const std::uint32_t p = pool_of(i);
        if (p == kNoPool) return;
        ++counts[p];
        found[nfound++] = std::uint64_t{p} << 32 | static_cast<std::uint32_t>(i);
      });
#pragma omp barrier
#pragma omp single
      {
        // Offsets pool-major, then thread order: thread t's members of pool p
        // follow those of threads < t, which hold lower agent indices.
        std::uint32_t running = 0;
        for (std::size_t p = 0; p < pools_; ++p) {
          offsets_[p] = running;
          for (std::size_t k = 0; k < team; ++k) {
            const std::uint32_t c = thread_counts_[k * pools_ + p];
            thread_counts_[k * pools_ + p] = running;
            running += c;
          }
          sizes_[p] = running - offsets_[p];
        }
        offsets_[pools_] = running;
      }
      for (std::size_t k = 0; k < nfound; ++k) {
        members_[counts[found[k] >> 32]++] = static_cast<std::uint32_t>(found[k]);
      }
    }
  }

  std::size_t demand(std::size_t pool) const { return offsets_[pool + 1] - offsets_[pool]; }

  // Memory held, in bytes.
  std::size_t bytes() const {
    return (members_.size() + offsets_.capacity() + sizes_.capacity() + thread_counts_.capacity()) *
               sizeof(std::uint32_t) +
           scratch_.size() * sizeof(std::uint64_t);
  }

  // The candidates of `pool` still admitted (all of them until ration()).
  std::span<const std::uint32_t> admitted(std::size_t pool) const {
    return {members_.data() + offsets_[pool], sizes_[pool]};
  }

  // The candidates of `pool` that ration() turned away, in agent order.
  std::span<const std::uint32_t> rejected(std::size_t pool) const {
    return {members_.data() + offsets_[pool] + sizes_[pool], demand(pool) - sizes_[pool]};
  }

  // Keeps a uniformly random `capacity` of the pool's candidates (all when
  // demand does not exceed it), in agent order. `key.stream` must be used by no
  // other draw of the step.
  void ration(std::size_t pool, double capacity, const StreamKey& key) {
    const std::size_t demand_now = demand(pool);
    if (!(capacity < static_cast<double>(demand_now))) return;
    Draws places = pool_draws(key, pool);
    const auto keep = static_cast<std::size_t>(places_this_step(capacity, places));
    if (keep >= demand_now) return;

    std::uint32_t* first = members_.data() + offsets_[pool];
    // Mark the smaller side: those admitted, or those turned away.
    const bool mark_admitted = keep <= demand_now - keep;
    mark_random_subset(
        demand_now, mark_admitted ? keep : demand_now - keep, key,
        [&](std::size_t j) { return first[j] & ~kMark; },
        [&](std::size_t t) { return (first[t] & kMark) != 0; },
        [&](std::size_t t) { first[t] |= kMark; });
    // Admitted first, then the rest, each in agent order; the rest wait in
    // the scratch.
    std::uint64_t* rest_of = scratch_.data() + offsets_[pool];
    std::size_t admitted = 0, rest = 0;
    for (std::size_t k = 0; k < demand_now; ++k) {
      const bool marked = (first[k] & kMark) != 0;
      const std::uint32_t agent = first[k] & ~kMark;
      if (marked == mark_admitted) {
        first[admitted++] = agent;
      } else {
        rest_of[rest++] = agent;
      }
    }
    for (std::size_t k = 0; k < rest; ++k)
      first[admitted + k] = static_cast<std::uint32_t>(rest_of[k]);
    sizes_[pool] = static_cast<std::uint32_t>(keep);
  }

 private:
  // Agent indices are below 2^31 (at most 2^31 agents): the top bit of a
  // list entry is free to mark it while a subset is drawn.
  static constexpr std::uint32_t kMark = 0x80000000u;

  std::size_t max_pools_ = 0;
  std::size_t pools_ = 0;
  std::size_t threads_ = 1;
  UntouchedArray<std::uint32_t> members_;     // candidates, pool after pool (nagents)
  std::vector<std::uint32_t> offsets_;        // pool p's candidates start here (npools+1)
  std::vector<std::uint32_t> sizes_;          // admitted candidates per pool (npools)
  std::vector<std::uint32_t> thread_counts_;  // scratch for the prefix sum (nthreads x npools)
  UntouchedArray<std::uint64_t> scratch_;     // gathering and rationing scratch (nagents)
};

}  // namespace migrasim
