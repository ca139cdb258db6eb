// Independent runs (replicates, sweep members) side by side, one per thread,
// each single-threaded, their results handed on in index order.
//
// A run of few agents spends most of a step at the barriers between stages
// when its agents are split across threads (at 100,000 agents on 2 threads a
// replicate is only 1.3-1.4x faster than on 1). Runs that share nothing need no
// barriers at all: each gets a thread of its own. Each run's bits do
// not depend on its thread count, and the results are handed on in index order,
// so an output file is the same whichever way its runs were spread.
#pragma once

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>

namespace migrasim {

// How the threads of a run with several replicates (or members) share the work.
enum class Parallelism {
  kAuto,        // side by side when there are few agents per thread (below)
  kAgents,      // one run after another, each one's agents split across the threads
  kSideBySide,  // one run per thread, each single-threaded
};

// Below this many agents per thread runs go side by side. At 100,000 agents
// splitting a run's agents across 2 threads gave only 1.3-1.4x, and side by
// side a run costs the CPU time it costs alone; at 1,000,000 agents the split
// gives 1.7-1.9x, and a state per thread would multiply the memory
// (docs/performance.md, "Ensembles").
inline constexpr std::int64_t kSideBySideBelowAgentsPerThread = 250'000;

// The number of threads that run side by side for `runs` runs of `agents`
// agents each on `threads` threads, or 0 when the agents of one run at a time
// are split across all threads instead. Automatic: side by side when there are
// at least two runs, at least two threads, and fewer than
// kSideBySideBelowAgentsPerThread agents per thread; then as many threads as
// there are runs, up to `threads`.
inline int side_by_side_threads(std::int64_t agents, std::int64_t runs, int threads,
                                Parallelism parallelism) {
  if (runs < 2 || threads < 2 || parallelism == Parallelism::kAgents) return 0;
  if (parallelism == Parallelism::kAuto && agents / threads >= kSideBySideBelowAgentsPerThread)
    return 0;
  return static_cast<int>(std::min<std::int64_t>(threads, runs));
}

// "auto", "agents" or "runs"; nullopt for anything else.
inline std::optional<Parallelism> parse_parallelism(std::string_view text) {
  if (text == "auto") return Parallelism::kAuto;
  if (text == "agents") return Parallelism::kAgents;
  if (text == "runs") return Parallelism::kSideBySide;
  return std::nullopt;
}

// Calls run(i) for every i in [0, count) on `threads` threads, each call on
// one thread (nested parallel regions inside it get a team of one), and
// emit(i, result) for every i in increasing order, one call at a time, on
// whichever thread completes the sequence. A thread takes the next index when
// it finishes one, so results wait for emission only while an earlier index is
// still running (at most about one result per thread). The first exception in
// index order (thrown by run or emit) is rethrown after every thread has
// stopped; no index is started after one has failed, and no result after the
// failed index is emitted.
template <class Run, class Emit>
void run_side_by_side(std::uint32_t count, int threads, Run run, Emit emit) {
  using Result = decltype(run(std::uint32_t{0}));
  std::atomic<std::uint32_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;  // guards everything below and every call of emit
  std::map<std::uint32_t, Result> ready;
  std::uint32_t next_to_emit = 0;
  std::uint32_t failed_index = count;
  std::exception_ptr error;

  // Records a failure of index i unless one of a lower index is known.
  const auto fail = [&](std::uint32_t i, std::exception_ptr e) {
    if (i < failed_index) {
      failed_index = i;
      error = std::move(e);
    }
    failed = true;
  };

#pragma omp parallel num_threads(threads)
  {
    // Runs on this thread are single-threaded, and size their per-thread
    // scratch for one thread.
    omp_set_num_threads(1);
    while (!failed) {
      const std::uint32_t i = next.fetch_add(1);
      if (i >= count) break;
      std::optional<Result> result;
      try {
        result.emplace(run(i));
      } catch (...) {
        const std::lock_guard<std::mutex> lock(mutex);
        fail(i, std::current_exception());
        break;
      }
      const std::lock_guard<std::mutex> lock(mutex);
      ready.emplace(i, std::move(*result));
      for (auto it = ready.begin(); it != ready.end() && it->first == next_to_emit;
           it = ready.erase(it)) {
        if (next_to_emit >= failed_index) break;
        try {
          emit(it->first, std::move(it->second));
        } catch (...) {
          fail(it->first, std::current_exception());
          break;
        }
        ++next_to_emit;
      }
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace migrasim
