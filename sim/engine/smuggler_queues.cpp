#include "engine/smuggler_queues.hpp"

#include <algorithm>
#include <string>

#include "engine/state.hpp"

namespace migrasim {

void SmugglerQueues::allocate(const Model& m, std::size_t threads) {
  queues_.assign(m.edge_networks.size(), {});
  dead_.assign(m.edge_networks.size(), 0);
  joined_.assign(threads, {});
  gave_up_.assign(threads * m.edge_networks.size(), 0);
  pair_edge_.assign(m.edge_networks.size(), 0);
  for (std::size_t e = 0; e + 1 < m.edge_first_network.size(); ++e) {
    for (std::uint32_t q = m.edge_first_network[e]; q < m.edge_first_network[e + 1]; ++q)
      pair_edge_[q] = static_cast<std::uint16_t>(e);
  }
}

void SmugglerQueues::clear() {
  for (auto& q : queues_) q.clear();
  for (auto& j : joined_) j.clear();
  std::fill(dead_.begin(), dead_.end(), 0);
  std::fill(gave_up_.begin(), gave_up_.end(), 0);
}

std::size_t SmugglerQueues::pair_of(const Model& m, std::uint16_t edge,
                                    std::uint16_t network) const {
  std::uint32_t q = m.edge_first_network[edge];
  while (m.edge_networks[q] != network) ++q;
  return q;
}

bool SmugglerQueues::live(const Agents& a, const Entry& e) const {
  return a.status[e.agent] == Status::kWaitingForSmuggler && a.status_step[e.agent] == e.since;
}

void SmugglerQueues::settle() {
  const std::size_t npairs = pairs();
  for (std::size_t t = 0; t < joined_.size(); ++t) {
    for (std::size_t q = 0; q < npairs; ++q) dead_[q] += gave_up_[t * npairs + q];
    std::fill_n(gave_up_.begin() + static_cast<std::ptrdiff_t>(t * npairs), npairs, 0);
  }
  scratch_.clear();
  for (auto& j : joined_) {
    scratch_.insert(scratch_.end(), j.begin(), j.end());
    j.clear();
  }
  std::sort(scratch_.begin(), scratch_.end(),
            [](const Join& x, const Join& y) { return x.entry.agent < y.entry.agent; });
  // Every join is added, even of one who gave up since (counted dead above).
  for (const Join& j : scratch_) queues_[j.queue].push_back(j.entry);
}

void SmugglerQueues::sweep_if_mostly_dead(const Agents& a, std::size_t q) {
  std::vector<Entry>& entries = queues_[q];
  if (2 * dead_[q] <= static_cast<std::int64_t>(entries.size())) return;
  std::size_t kept = 0;
  for (const Entry& e : entries) {
    if (live(a, e)) entries[kept++] = e;
  }
  entries.resize(kept);
  dead_[q] = 0;
}

void SmugglerQueues::take_all(const Agents& a, std::span<const std::size_t> open,
                              std::vector<std::uint32_t>& chosen) {
  chosen.clear();
  for (const std::size_t q : open) {
    for (const Entry& e : queues_[q]) {
      if (live(a, e)) chosen.push_back(e.agent);
    }
    queues_[q].clear();
    dead_[q] = 0;
  }
  std::sort(chosen.begin(), chosen.end());
}

void SmugglerQueues::choose(const Agents& a, std::span<const std::size_t> open, std::int64_t keep,
                            Draws& draws, const StreamKey& key,
                            std::vector<std::uint32_t>& chosen) {
  chosen.clear();
  for (const std::size_t q : open) sweep_if_mostly_dead(a, q);
  if (keep <= 0) return;
  std::int64_t live_total = 0;
  std::size_t entries = 0;
  for (const std::size_t q : open) {
    live_total += waiting(q);
    entries += queues_[q].size();
  }
  // Few places next to those waiting (the usual case): entries drawn
  // uniformly, the dead and those already chosen drawn again. At least half
  // the entries live (sweep_if_mostly_dead) and at most half of the live
  // chosen, so a draw succeeds with chance 1/4 or more; few places keep the
  // pool's stream short.
  if (2 * keep <= live_total && keep <= (std::int64_t{1} << 22)) {
    while (static_cast<std::int64_t>(chosen.size()) < keep) {
      std::size_t at = uniform_below(draws, entries);
      std::size_t q_index = 0;
      while (at >= queues_[open[q_index]].size()) at -= queues_[open[q_index++]].size();
      Entry& e = queues_[open[q_index]][at];
      if (!live(a, e)) continue;  // dead, or already chosen (kTaken)
      chosen.push_back(e.agent);
      e.since = kTaken;
      ++dead_[open[q_index]];
    }
  } else {
    // Many places: the live entries listed, then Floyd's algorithm on the
    // list, draw j from the stream of the candidate at position j.
    live_entries_.clear();
    for (const std::size_t q : open) {
      for (Entry& e : queues_[q]) {
        if (live(a, e)) live_entries_.push_back(&e);
      }
    }
    const std::size_t n = live_entries_.size();
    for (std::size_t j = n - static_cast<std::size_t>(keep); j < n; ++j) {
      Draws own(key, live_entries_[j]->agent);
      const std::size_t t = uniform_below(own, j + 1);
      live_entries_[live_entries_[t]->since == kTaken ? j : t]->since = kTaken;
    }
    for (const Entry* e : live_entries_) {
      if (e->since == kTaken) chosen.push_back(e->agent);
    }
    for (const std::size_t q : open) {
      dead_[q] = 0;
      for (const Entry& e : queues_[q]) dead_[q] += !live(a, e);
    }
  }
  std::sort(chosen.begin(), chosen.end());
}

std::string SmugglerQueues::check(const Model& m, const Agents& a) const {
  const std::size_t npairs = pairs();
  std::vector<std::int64_t> waiting_in(npairs, 0), live_in(npairs, 0), pending(npairs, 0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a.status[i] == Status::kWaitingForSmuggler)
      ++waiting_in[pair_of(m, a.edge[i], a.smuggler[i])];
  }
  for (const auto& list : joined_) {
    for (const Join& j : list) live_in[j.queue] += live(a, j.entry);
  }
  for (std::size_t q = 0; q < npairs; ++q) {
    std::int64_t live_here = 0;
    for (const Entry& e : queues_[q]) live_here += live(a, e);
    live_in[q] += live_here;
    for (std::size_t t = 0; t < joined_.size(); ++t) pending[q] += gave_up_[t * npairs + q];
    if (live_in[q] != waiting_in[q]) {
      return "smuggler queue " + std::to_string(q) + " holds " + std::to_string(live_in[q]) +
             " agents waiting but " + std::to_string(waiting_in[q]) + " wait";
    }
    if (static_cast<std::int64_t>(queues_[q].size()) - dead_[q] - pending[q] != live_here) {
      return "smuggler queue " + std::to_string(q) + " counts " +
             std::to_string(static_cast<std::int64_t>(queues_[q].size()) - dead_[q] - pending[q]) +
             " agents waiting but holds " + std::to_string(live_here);
    }
  }
  return {};
}

std::size_t SmugglerQueues::bytes() const {
  std::size_t total = 0;
  for (const auto& q : queues_) total += q.capacity() * sizeof(Entry);
  for (const auto& j : joined_) total += j.capacity() * sizeof(Join);
  return total + scratch_.capacity() * sizeof(Join) + live_entries_.capacity() * sizeof(Entry*) +
         (dead_.capacity() + gave_up_.capacity()) * sizeof(std::int64_t);
}

}  // namespace migrasim
