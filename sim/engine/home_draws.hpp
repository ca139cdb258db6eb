// Draws for agents at home, whose cost grows with what happens (someone
// decides to leave), not with how many agents there are.
//
// Each step every agent at home who knows the route may decide to leave, with
// a small probability that has a common upper bound across its community.
// Drawing one number per agent makes a step cost a pass over every agent;
// instead, the agents a Bernoulli(p) trial would pick are found directly: the
// gaps between picks along a sequence of agents (a community's members who
// know the route, in their learning order: home_knowledge.hpp) are
// independent geometric waiting times, drawn by inversion from the
// community's own stream, so a step costs one draw and a logarithm per pick
// plus a little per community. An agent that cannot act (it has left) is
// picked like the others and skipped, which keeps each eligible agent's
// chance exactly p: the waste is the share of those who left.
//
// Where p is large (a pick for one agent in 16 or more) a pass over the
// sequence with every agent's own draw is cheaper than chasing picks through
// memory, and is taken instead: the same distribution from other draws.
//
// Each community draws from its own stream (entity = community), and its
// picks are visited in sequence order, so results are the same to the last
// bit for any number of threads.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "engine/agent_scan.hpp"
#include "engine/state.hpp"
#include "model/model.hpp"
#include "util/random.hpp"

namespace migrasim {

// At or above this probability per agent and step, the dense pass.
inline constexpr double kDenseFrom = 1.0 / 16.0;
// And above this many picks expected in one community and step: a stream holds
// 2^26 words per entity and step (random.hpp), 3 per pick, so the sparse
// picks of one community must stay far below 2^26 / 3 (22M; exceeding 2^22
// expected by that much has no meaningful chance).
inline constexpr double kMostSparsePicks = 0x1p22;

// Whether picks with probability p among n agents take the dense pass.
inline bool dense_pass(double p, std::int64_t n) {
  return p >= kDenseFrom || p * static_cast<double>(n) > kMostSparsePicks;
}

// Uniform on (0, 1) with 2^-53 resolution, from two 32-bit draws: a gap drawn
// by inverting the geometric distribution keeps its small probabilities (a
// 2^-32 grid would round chances below 2^-32 per agent).
inline double fine_uniform(Draws& draws) {
  const std::uint64_t high = draws.bits();
  const std::uint64_t low = draws.bits();
  const std::uint64_t word = ((high << 32) | low) >> 11;  // 53 bits
  return (static_cast<double>(word) + 0.5) * 0x1p-53;
}

// Picks each position r of [0, n) of a sequence of agents independently
// with probability p and, for each pick whose agent h = agent_of(r) passes
// admits(h), calls visit(h, u), in increasing position order, with u uniform
// on (0, 1) and independent of the pick (for thinning: accepting a pick when
// u < q / p makes the chance q <= p). prefetch(h) is called a batch ahead of
// admits(h), to fetch what admits and visit read. Picks draw from
// Draws(sparse_key, entity). For a large p (dense_pass) a caller takes one
// draw per agent instead (for_each_drawn_below).
//
// The gap to the next pick is floor(log(v) / log(1 - p)) for v uniform, which
// is geometric with parameter p up to the rounding of log and log1p (relative
// 2^-52).
template <class AgentOf, class Admits, class Visit, class Prefetch = NoPrefetch>
void for_each_picked(const StreamKey& sparse_key, std::uint32_t entity, std::int64_t n, double p,
                     AgentOf agent_of, Admits admits, Visit visit, Prefetch prefetch = {}) {
  if (!(p > 0.0) || n <= 0) return;
  // Picks are far apart in memory: a batch of them is drawn first and what
  // their visits read fetched, so the visits do not wait on one cache miss
  // after another.
  constexpr std::size_t kBatch = 64;
  std::uint32_t picked[kBatch];
  double uniforms[kBatch];
  Draws draws(sparse_key, entity);
  const double per_log = 1.0 / std::log1p(-p);  // negative
  std::int64_t next = 0;                        // the first position the next gap starts from
  bool more = true;
  while (more) {
    std::size_t count = 0;
    while (count < kBatch) {
      const double gap = std::floor(std::log(fine_uniform(draws)) * per_log);
      if (!(gap < static_cast<double>(n - next))) {
        more = false;
        break;
      }
      const std::int64_t r = next + static_cast<std::int64_t>(gap);
      picked[count] = static_cast<std::uint32_t>(agent_of(r));
      uniforms[count] = draws.uniform();
      prefetch(picked[count]);
      ++count;
      next = r + 1;
    }
    for (std::size_t k = 0; k < count; ++k) {
      if (admits(picked[k])) visit(picked[k], uniforms[k]);
    }
  }
}

// Below this many agents at home the per-community loops of information and
// decisions run on one thread: their work is per community and per pick, and
// for a smaller pool a step's picks take less time than waking a second
// thread (a sleeping thread, see cli/openmp_wait.hpp, wakes through the
// kernel). The 100,000-agent baseline ran a replicate in 1.0 s on 1 thread
// and 1.5 s on 2 with these loops parallel.
inline constexpr std::uint32_t kParallelHomeFrom = 1u << 20;
inline bool home_loops_in_parallel(const Model& m) { return m.home_agents >= kParallelHomeFrom; }

// The communities thread t of `team` works on: whole communities, cut where
// for_each_thread_range would cut the agents at home and moved up to the next
// community boundary, so the threads' shares are contiguous, disjoint and in
// order. Returns [first, last) community indices; the share's agents start at
// community_first_agent[first].
inline std::pair<std::size_t, std::size_t> community_share(const Model& m, std::int64_t t,
                                                           std::int64_t team) {
  const auto& starts = m.community_first_agent;
  const auto home = static_cast<std::int64_t>(starts.back());
  const auto cut = [&](std::int64_t u) {
    if (u >= team) return m.community_count();
    const auto at = static_cast<std::uint32_t>(home * u / team);
    return static_cast<std::size_t>(std::lower_bound(starts.begin(), starts.end() - 1, at) -
                                    starts.begin());
  };
  return {cut(t), cut(t + 1)};
}

}  // namespace migrasim
