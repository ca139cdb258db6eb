// Loops whose threads each own one contiguous, static share of the agents.
#pragma once

#include <omp.h>

#include <cstdint>

namespace migrasim {

// Calls body(lo, hi) once per thread with its share [lo, hi) of [0, n). The
// shares are contiguous and in thread order, so per-thread partial results
// over runs of agents (e.g. a community's block) can be flushed at run ends.
template <class Body>
void for_each_thread_range(std::int64_t n, Body body) {
#pragma omp parallel
  {
    const std::int64_t t = omp_get_thread_num();
    const std::int64_t team = omp_get_num_threads();
    body(n * t / team, n * (t + 1) / team);
  }
}

}  // namespace migrasim
