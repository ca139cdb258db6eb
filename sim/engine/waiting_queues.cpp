#include "engine/waiting_queues.hpp"

#include <algorithm>

#include "engine/rationing.hpp"
#include "engine/state.hpp"

namespace migrasim {

void WaitingQueues::allocate(std::size_t queues, std::size_t threads, Status waiting) {
  waiting_ = waiting;
  queues_.assign(queues, {});
  dead_.assign(queues, 0);
  joined_.assign(threads, {});
  left_.assign(threads * queues, 0);
}

void WaitingQueues::clear() {
  for (auto& q : queues_) q.clear();
  for (auto& j : joined_) j.clear();
  std::fill(dead_.begin(), dead_.end(), 0);
  std::fill(left_.begin(), left_.end(), 0);
}

bool WaitingQueues::live(const Agents& a, const Entry& e) const {
  return (e.agent & kChosen) == 0 && a.status[e.agent] == waiting_ &&
         a.status_step[e.agent] == e.since;
}

void WaitingQueues::settle() {
  const std::size_t nqueues = queues();
  for (std::size_t t = 0; t < joined_.size(); ++t) {
    for (std::size_t q = 0; q < nqueues; ++q) dead_[q] += left_[t * nqueues + q];
    std::fill_n(left_.begin() + static_cast<std::ptrdiff_t>(t * nqueues), nqueues, 0);
  }
  scratch_.clear();
  for (auto& j : joined_) {
    scratch_.insert(scratch_.end(), j.begin(), j.end());
    j.clear();
  }
  // In order of the step they began waiting (so that those waiting long
  // enough are a prefix), then of agent.
  std::sort(scratch_.begin(), scratch_.end(), [](const Join& x, const Join& y) {
    return x.entry.since != y.entry.since ? x.entry.since < y.entry.since
                                          : x.entry.agent < y.entry.agent;
  });
  // Every join is added, even of one who left since (counted dead above).
  for (const Join& j : scratch_) queues_[j.queue].push_back(j.entry);
}

std::size_t WaitingQueues::ready_prefix(std::size_t q, std::int32_t ready_step) const {
  const std::vector<Entry>& entries = queues_[q];
  return static_cast<std::size_t>(
      std::upper_bound(entries.begin(), entries.end(), ready_step,
                       [](std::int32_t step, const Entry& e) { return step < e.since; }) -
      entries.begin());
}

// Removes every dead entry, keeping the order.
void WaitingQueues::sweep(const Agents& a, std::size_t q) {
  std::vector<Entry>& entries = queues_[q];
  std::size_t kept = 0;
  for (const Entry& e : entries) {
    if (live(a, e)) entries[kept++] = e;
  }
  entries.resize(kept);
  dead_[q] = 0;
}

void WaitingQueues::choose(const Agents& a, std::span<const std::size_t> open, std::int64_t keep,
                           std::int32_t ready_step, Draws& draws, const StreamKey& key,
                           std::vector<std::uint32_t>& chosen) {
  chosen.clear();
  if (keep <= 0) return;
  // The ready prefixes. The dead are swept out once they are half of a
  // queue; those of a prefix are at most dead_[q], so prefix - dead_[q] of
  // it are sure to be live.
  std::int64_t sure_live = 0;
  std::size_t entries = 0;
  prefixes_.clear();
  for (const std::size_t q : open) {
    if (2 * dead_[q] > static_cast<std::int64_t>(queues_[q].size())) sweep(a, q);
    const std::size_t prefix = ready_prefix(q, ready_step);
    prefixes_.push_back(prefix);
    sure_live += static_cast<std::int64_t>(prefix) - dead_[q];
    entries += prefix;
  }
  // (keep may be huge: an unlimited capacity.)
  if (keep <= sure_live / 2 && keep <= (std::int64_t{1} << 22)) {
    // Few places next to those waiting (the usual case): entries of the
    // prefixes drawn uniformly, the dead and those already chosen drawn
    // again, each chosen uniformly among those not yet chosen. A prefix
    // mostly dead makes draws fail often: after a bounded number of draws the
    // rest are chosen from a list, which keeps the law (what is left to
    // choose is a uniform subset of those not chosen yet) and the pool's
    // stream short.
    const std::int64_t most_draws = 16 * keep + 1024;
    for (std::int64_t drawn = 0;
         static_cast<std::int64_t>(chosen.size()) < keep && drawn < most_draws; ++drawn) {
      std::size_t at = uniform_below(draws, entries);
      std::size_t k = 0;
      while (at >= prefixes_[k]) at -= prefixes_[k++];
      Entry& e = queues_[open[k]][at];
      if (!live(a, e)) continue;  // dead, or already chosen
      chosen.push_back(e.agent);
      e.agent |= kChosen;
      ++dead_[open[k]];
    }
  }
  if (static_cast<std::int64_t>(chosen.size()) < keep) {
    // Many places for those ready (or the draws above gave up): the live
    // ready entries not yet chosen listed, then all of them or Floyd's
    // algorithm on the list for the places left, draw j from the stream of
    // the candidate at position j.
    const auto left_to_choose = static_cast<std::size_t>(keep) - chosen.size();
    ready_entries_.clear();
    ready_queue_.clear();
    for (std::size_t o = 0; o < open.size(); ++o) {
      const std::size_t q = open[o];
      for (std::size_t k = 0; k < prefixes_[o]; ++k) {
        if (!live(a, queues_[q][k])) continue;
        ready_entries_.push_back(&queues_[q][k]);
        ready_queue_.push_back(static_cast<std::uint32_t>(q));
      }
    }
    const std::size_t n = ready_entries_.size();
    if (left_to_choose >= n) {
      for (Entry* e : ready_entries_) e->agent |= kChosen;
    } else {
      mark_random_subset(
          n, left_to_choose, key,
          [&](std::size_t j) { return ready_entries_[j]->agent & ~kChosen; },
          [&](std::size_t t) { return (ready_entries_[t]->agent & kChosen) != 0; },
          [&](std::size_t t) { ready_entries_[t]->agent |= kChosen; });
    }
    for (std::size_t k = 0; k < n; ++k) {
      if ((ready_entries_[k]->agent & kChosen) == 0) continue;
      chosen.push_back(ready_entries_[k]->agent & ~kChosen);
      ++dead_[ready_queue_[k]];
    }
  }
  std::sort(chosen.begin(), chosen.end());
}

std::string WaitingQueues::check(const Agents& a, std::span<const std::int64_t> waiting_in) const {
  const std::size_t nqueues = queues();
  std::vector<std::int64_t> live_in(nqueues, 0), pending(nqueues, 0);
  for (const auto& list : joined_) {
    for (const Join& j : list) live_in[j.queue] += live(a, j.entry);
  }
  for (std::size_t q = 0; q < nqueues; ++q) {
    std::int64_t live_here = 0;
    for (const Entry& e : queues_[q]) live_here += live(a, e);
    live_in[q] += live_here;
    for (std::size_t t = 0; t < joined_.size(); ++t) pending[q] += left_[t * nqueues + q];
    if (live_in[q] != waiting_in[q]) {
      return "waiting queue " + std::to_string(q) + " holds " + std::to_string(live_in[q]) +
             " agents waiting but " + std::to_string(waiting_in[q]) + " wait";
    }
    const std::int64_t counted =
        static_cast<std::int64_t>(queues_[q].size()) - dead_[q] - pending[q];
    if (counted != live_here) {
      return "waiting queue " + std::to_string(q) + " counts " + std::to_string(counted) +
             " agents waiting but holds " + std::to_string(live_here);
    }
  }
  return {};
}

std::size_t WaitingQueues::bytes() const {
  std::size_t total = 0;
  for (const auto& q : queues_) total += q.capacity() * sizeof(Entry);
  for (const auto& j : joined_) total += j.capacity() * sizeof(Join);
  return total + scratch_.capacity() * sizeof(Join) + ready_entries_.capacity() * sizeof(Entry*) +
         ready_queue_.capacity() * sizeof(std::uint32_t) +
         (dead_.capacity() + left_.capacity()) * sizeof(std::int64_t);
}

}  // namespace migrasim
