// The calendar of travellers' events. A traveller on an edge has two possible
// events, its death and its arrival at the edge's end; both are drawn or known
// when it sets out (journey.hpp, schedule_on_edge), so the agent is filed
// under the step of the first of them (Agents::due_step) and the movement
// stage visits only the travellers whose event falls in the step, not every
// traveller every step: its cost grows with arrivals and deaths, not with the
// number on the road.
//
// One bucket per step, in a ring of as many buckets as a traveller can be
// ahead of the current step (an event is at most 65,536 steps ahead, the
// longest edge; one that falls after the run's last step is never filed).
// Each thread files into its own list of the bucket, so filing needs no
// synchronisation; a bucket's lists, taken together, hold each of its
// travellers once. Their order depends on the thread count, but a traveller's
// event does not depend on any other's, so results do not (counts are integer
// sums).
//
// The death hazards the filed deaths were drawn with are kept: when one
// changes (a dated series, an intervention, a network's multiplier), the
// movement stage redraws the residual waiting times of the travellers it
// concerns and files every traveller again (see movement.cpp).
//
// Buckets are the one structure that grows during a run: a list keeps its
// memory while it is small; a large one, once processed, is handed to the next
// list its thread starts to fill (so a crowd arriving together every few steps
// reuses one allocation instead of faulting in fresh pages each time), and
// otherwise given back. The calendar holds 4 bytes per filed traveller, up to
// twice that by std::vector's doubling, plus one spare list per thread.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace migrasim {

class TransitCalendar {
 public:
  // For a run of `steps` steps, filed into by up to `threads` threads at a
  // time, on `edges` edges and `networks` networks.
  void allocate(std::int32_t steps, std::size_t threads, std::size_t edges, std::size_t networks) {
    steps_ = steps;
    threads_ = threads;
    const std::int32_t ring = std::min<std::int32_t>(std::max(steps, 1), kLongestAhead + 1);
    buckets_.assign(static_cast<std::size_t>(ring) * threads, {});
    spares_.assign(threads, {});
    edge_hazard.assign(edges, 0.0);
    network_multiplier.assign(networks, 1.0);
    next_visit_step = 0;
  }

  // Files nothing (the redraw files every traveller again).
  void clear() {
    const std::size_t ring = buckets_.size() / threads_;
    for (std::size_t k = 0; k < buckets_.size(); ++k) release(buckets_[k], spares_[k / ring]);
  }

  std::size_t threads() const { return threads_; }
  std::size_t bytes() const {
    std::size_t total = buckets_.capacity() * sizeof(buckets_[0]);
    for (const auto& list : buckets_) total += list.capacity() * sizeof(std::uint32_t);
    for (const auto& list : spares_) total += list.capacity() * sizeof(std::uint32_t);
    return total;
  }

  // Files `agent` under step `due` (at or after the current step), from the
  // calling thread; an event after the run's last step is never due.
  void file(std::int32_t due, std::uint32_t agent) {
    if (due >= steps_) return;
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    std::vector<std::uint32_t>& list = bucket(due, t);
    if (list.capacity() == 0) list.swap(spares_[t]);
    list.push_back(agent);
  }

  // The list of travellers thread t filed under step `due`.
  std::vector<std::uint32_t>& bucket(std::int32_t due, std::size_t t) {
    const auto ring = buckets_.size() / threads_;
    return buckets_[t * ring + static_cast<std::size_t>(due) % ring];
  }

  const std::vector<std::uint32_t>& bucket(std::int32_t due, std::size_t t) const {
    const auto ring = buckets_.size() / threads_;
    return buckets_[t * ring + static_cast<std::size_t>(due) % ring];
  }
  // Steps ahead of the current one an event may be filed for (the ring's length).
  std::int32_t horizon() const { return static_cast<std::int32_t>(buckets_.size() / threads_); }
  std::int32_t steps() const { return steps_; }

  // Empties the bucket of step `due` once processed.
  void close(std::int32_t due) {
    for (std::size_t t = 0; t < threads_; ++t) release(bucket(due, t), spares_[t]);
  }

  // The number of travellers filed under step `due`.
  std::size_t due_count(std::int32_t due) {
    std::size_t n = 0;
    for (std::size_t t = 0; t < threads_; ++t) n += bucket(due, t).size();
    return n;
  }

  // The step of the first movement visit of a traveller setting out now: the
  // current step until the movement stage has processed its bucket, the next
  // one after (an arrival's next edge, a traveller screened or released).
  std::int32_t next_visit_step = 0;
  // The death hazards (per step) in force when the filed deaths were drawn.
  std::vector<double> edge_hazard;         // (nedges)
  std::vector<double> network_multiplier;  // (nnetworks)

  static constexpr std::int32_t kLongestAhead = std::numeric_limits<std::uint16_t>::max() + 1;

 private:
  // A processed list keeps its memory while small; a large one becomes its
  // thread's spare (the larger of the two is kept), which the next empty list
  // the thread files into takes over.
  static void release(std::vector<std::uint32_t>& list, std::vector<std::uint32_t>& spare) {
    constexpr std::size_t kKept = 4096;  // entries a list keeps room for between uses
    list.clear();
    if (list.capacity() <= kKept) return;
    if (list.capacity() > spare.capacity()) list.swap(spare);
    std::vector<std::uint32_t>().swap(list);
  }

  // (nthreads x ring): a thread's lists lie together, so that threads filing
  // at once do not write to the same cache line (a list's end pointer).
  std::vector<std::vector<std::uint32_t>> buckets_;
  std::vector<std::vector<std::uint32_t>> spares_;  // (nthreads)
  std::int32_t steps_ = 0;
  std::size_t threads_ = 1;
};

}  // namespace migrasim
