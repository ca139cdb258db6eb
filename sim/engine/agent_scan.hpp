// Loops over agents that do little work for most of them, so that a step
// costs what its few busy agents need plus a fast pass over the rest:
// - select_agents: the agents of a range that pass a filter on status and
//   flags, picked 64 at a time with AVX-512;
// - for_each_drawn_below: one Bernoulli-style draw for many agents, drawn
//   together by the vectorised kernels of random.hpp;
// - visit_in_status, for_each_slot_in_status, SlotsInStatus: the agents in
//   slots (those who left home) in a status range, picked 64 at a time, for
//   the stages that work on one status (movement, the queues, returns);
// - for_each_community_run: a range of agents cut at community boundaries
//   (communities are contiguous blocks), for per-community parameters.
// Agents are visited in increasing index order, so per-run results that
// depend on order (lists, first-come counts) are the same for any threads.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>

#include "engine/state.hpp"
#include "model/model.hpp"
#include "util/random.hpp"

namespace migrasim {

// Which agents a loop visits: status within [first, last], and (when
// flag_mask is not 0) flags & flag_mask == flag_value.
struct AgentFilter {
  const Status* status = nullptr;
  Status first = Status::kAtHome;
  Status last = Status::kAtHome;
  const std::uint8_t* flags = nullptr;
  std::uint8_t flag_mask = 0;
  std::uint8_t flag_value = 0;
};

// Writes the indices of the agents in [lo, hi) that pass `filter`, in
// increasing order, to ids, and returns their number. ids must have room for
// hi - lo + kSelectSlack entries (the vector kernel stores 16 at a time).
// 64 agents per step with AVX-512, one by one otherwise; the same result.
inline constexpr std::size_t kSelectSlack = 16;
std::size_t select_agents(const AgentFilter& filter, std::int64_t lo, std::int64_t hi,
                          std::uint32_t* ids);
std::size_t select_agents_portable(const AgentFilter& filter, std::int64_t lo, std::int64_t hi,
                                   std::uint32_t* ids);

inline constexpr std::int64_t kScanBatch = 1024;

// Asks for the cache line holding *p (x86: an instruction the optimiser
// keeps; GCC drops some __builtin_prefetch calls in inlined lambdas).
inline void prefetch_line(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

struct NoPrefetch {
  void operator()(std::uint32_t) const {}
};

// Calls visit(i) for the slots i in [lo, hi) that pass `filter` (whose status
// is within [first, last] for visit_in_status), in order. Statuses are read a batch at a time by
// select_agents (64 per instruction with AVX-512), so the slots of agents in other statuses cost a
// fraction of a nanosecond each; prefetch(i) is called a few visits ahead, to fetch what visit(i)
// will read. A batch is selected before any of its visits, which may change only the status of the
// agent visited.
template <class Visit, class Prefetch = NoPrefetch>
void visit_selected(const AgentFilter& filter, std::int64_t lo, std::int64_t hi, Visit visit,
                    Prefetch prefetch = {}) {
  constexpr std::size_t kNear = 8;
  std::uint32_t ids[kScanBatch + kSelectSlack];
  for (std::int64_t start = lo; start < hi; start += kScanBatch) {
    const std::size_t n = select_agents(filter, start, std::min(hi, start + kScanBatch), ids);
    for (std::size_t k = 0; k < n; ++k) {
      if (k + kNear < n) prefetch(ids[k + kNear]);
      visit(static_cast<std::int64_t>(ids[k]));
    }
  }
}

// The same, for the slots [lo, hi) that pass `filter` (status and flags).
template <class Visit, class Prefetch = NoPrefetch>
void visit_in_status(const Status* status, Status first, Status last, std::int64_t lo,
                     std::int64_t hi, Visit visit, Prefetch prefetch = {}) {
  visit_selected(AgentFilter{status, first, last}, lo, hi, visit, prefetch);
}

// Calls visit(i) for the agents i in slots (state.hpp: those who left home and
// the initial stocks) whose status is within [first, last], in order, taking
// the t-th of `team` equal shares of the slots (for a thread of a parallel
// region).
template <class Visit, class Prefetch = NoPrefetch>
void for_each_slot_in_status(const Agents& a, Status first, Status last, std::int64_t t,
                             std::int64_t team, Visit visit, Prefetch prefetch = {}) {
  const auto n = static_cast<std::int64_t>(a.size());
  visit_in_status(a.status.data(), first, last, n * t / team, n * (t + 1) / team, visit, prefetch);
}

// The same, for the agents in slots that pass `filter` (status and flags).
template <class Visit>
void for_each_slot_selected(const Agents& a, const AgentFilter& filter, std::int64_t t,
                            std::int64_t team, Visit visit) {
  const auto n = static_cast<std::int64_t>(a.size());
  visit_selected(filter, n * t / team, n * (t + 1) / team, visit);
}

// For CandidatePools::gather over the slots: the agents in [lo, hi) whose
// status is within [first, last], in order.
template <class Prefetch = NoPrefetch>
struct SlotsInStatus {
  const Status* status;
  Status first, last;
  Prefetch prefetch = {};
  std::int64_t work(std::int64_t n) const { return n; }
  template <class Visit>
  void operator()(std::int64_t lo, std::int64_t hi, Visit visit) const {
    visit_in_status(status, first, last, lo, hi, visit, prefetch);
  }
};
// Spelled out: clang 14 does not deduce an aggregate's template arguments.
SlotsInStatus(const Status*, Status, Status)->SlotsInStatus<NoPrefetch>;
template <class Prefetch>
SlotsInStatus(const Status*, Status, Status, Prefetch) -> SlotsInStatus<Prefetch>;

// For the agents i in [lo, hi) that pass `filter`, in index order: hit(i, b)
// if b < below, with b = Draws(key, i).bits(), the first 32 bits of i's
// stream. A Bernoulli(p) trial succeeds when b < bernoulli_threshold(p).
template <class Hit>
void for_each_drawn_below(const StreamKey& key, const AgentFilter& filter, std::int64_t lo,
                          std::int64_t hi, std::uint64_t below, Hit hit) {
  constexpr std::size_t kWidth = 8;  // draw whole vectors: no scalar tail
  std::uint32_t ids[kScanBatch + kSelectSlack + kWidth];
  std::uint32_t bits[kScanBatch + kSelectSlack + kWidth];
  std::uint8_t hits[(kScanBatch + kSelectSlack + kWidth) / kWidth];
  if (below == 0) return;
  for (std::int64_t start = lo; start < hi; start += kScanBatch) {
    const std::size_t kept = select_agents(filter, start, std::min(hi, start + kScanBatch), ids);
    if (kept == 0) continue;
    const std::size_t padded = (kept + kWidth - 1) / kWidth * kWidth;
    for (std::size_t k = kept; k < padded; ++k) ids[k] = ids[kept - 1];
    first_bits_below(key, {ids, padded}, below, bits, hits);
    for (std::size_t byte = 0; byte < padded / kWidth; ++byte) {
      for (unsigned m = hits[byte]; m != 0; m &= m - 1) {
        const std::size_t k = byte * kWidth + static_cast<std::size_t>(std::countr_zero(m));
        if (k < kept) hit(ids[k], bits[k]);
      }
    }
  }
}

// Calls run(k, first, last) for each community k overlapping [lo, hi), with
// [first, last) the part of it inside. The agents of initial stocks, after
// every community's block (model.hpp), are in none: none of them is at home.
template <class Run>
void for_each_community_run(const Model& m, std::int64_t lo, std::int64_t hi, Run run) {
  const auto& starts = m.community_first_agent;
  hi = std::min<std::int64_t>(hi, starts.back());
  if (lo >= hi) return;
  // The community holding lo: the last whose first agent is at or before it.
  auto k = static_cast<std::size_t>(
               std::upper_bound(starts.begin(), starts.end(), static_cast<std::uint32_t>(lo)) -
               starts.begin()) -
           1;
  for (std::int64_t first = lo; first < hi; ++k) {
    const std::int64_t last = std::min<std::int64_t>(hi, starts[k + 1]);
    if (last > first) run(k, first, last);
    first = last;
  }
}

}  // namespace migrasim
