// Loops whose threads each own one contiguous, static share of the agents.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace migrasim {

// Loops over fewer items than this run on one thread: waking the team would
// cost more than the work (the results are the same either way).
inline constexpr std::int64_t kSerialBelow = 4096;

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

// Sum of term(i) over [0, n) that is the same to the last bit for any number
// of threads: fixed blocks are summed in index order, then the block sums in
// block order. `block_sums` is caller-owned scratch (no allocation when it is
// already large enough).
inline constexpr std::int64_t kSumBlock = 1 << 16;

template <class Term>
double deterministic_sum(std::int64_t n, std::vector<double>& block_sums, Term term) {
  constexpr std::int64_t kBlock = kSumBlock;
  const std::int64_t blocks = (n + kBlock - 1) / kBlock;
  if (static_cast<std::int64_t>(block_sums.size()) < blocks)
    block_sums.resize(static_cast<std::size_t>(blocks));
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < blocks; ++b) {
    double sum = 0.0;
    const std::int64_t end = std::min(n, (b + 1) * kBlock);
    for (std::int64_t i = b * kBlock; i < end; ++i) sum += term(i);
    block_sums[static_cast<std::size_t>(b)] = sum;
  }
  double total = 0.0;
  for (std::int64_t b = 0; b < blocks; ++b) total += block_sums[static_cast<std::size_t>(b)];
  return total;
}

}  // namespace migrasim
