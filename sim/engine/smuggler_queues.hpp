// The travellers waiting for a smuggling network, kept as they start waiting,
// so that the market stage chooses a network's clients without a pass over
// everyone waiting. At 1:1 over a large origin population a network takes a
// few hundred clients a day while millions wait: a pass over the queue each
// step would cost per waiting agent, this costs per client.
//
// One queue per (network, edge) pair (pair q is position q of the model's
// edge_networks: edge e's networks are at [edge_first_network[e],
// edge_first_network[e + 1])), since a closed edge takes nobody off its
// queues. An entry is (agent, the step it began waiting). Agents leave a queue
// by being taken on (the market stage) or by giving up (movement) without
// their entry being removed: an entry is live while its agent still waits
// since that step, and the dead are counted and swept out when they
// outnumber the live. Those who start waiting during a step (movement,
// screening, returns: any thread) join per-thread lists, added to the queues
// in agent order by settle(), so the queues' order, and so every result, is
// the same for any number of threads.
#pragma once

#include <climits>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "model/model.hpp"
#include "util/random.hpp"

namespace migrasim {

struct Agents;

class SmugglerQueues {
 public:
  struct Entry {
    std::uint32_t agent;
    std::int32_t since;  // status_step when it began waiting; kTaken once chosen
  };

  void allocate(const Model& m, std::size_t threads);
  void clear();

  // The queue of `network` for `edge`.
  std::size_t pair_of(const Model& m, std::uint16_t edge, std::uint16_t network) const;

  // Agent i starts waiting in queue q at `step`, from the calling thread.
  void join(std::size_t thread, std::uint32_t i, std::int32_t step, std::size_t q) {
    joined_[thread].push_back({{i, step}, static_cast<std::uint32_t>(q)});
  }
  // One waiting in queue q gave up, from the calling thread.
  void gave_up(std::size_t thread, std::size_t q) { ++gave_up_[thread * pairs() + q]; }

  // Adds the joins since the last call to the queues, in agent order, and
  // counts those who gave up.
  void settle();

  std::size_t pairs() const { return queues_.size(); }
  // Agents waiting in queue q (after settle()).
  std::int64_t waiting(std::size_t q) const {
    return static_cast<std::int64_t>(queues_[q].size()) - dead_[q];
  }

  // Chooses `keep` of the agents waiting in the queues `open` (keep at most
  // their number), every subset of that size equally likely, into `chosen`
  // (cleared first; in increasing agent order); the chosen leave the queues.
  // Draws come from `draws` (the pool's stream) and, for a large share, from
  // the streams of key for the candidates.
  void choose(const Agents& a, std::span<const std::size_t> open, std::int64_t keep, Draws& draws,
              const StreamKey& key, std::vector<std::uint32_t>& chosen);

  // Takes every agent waiting in the queues `open` into `chosen` (cleared
  // first; in increasing agent order); they leave the queues.
  void take_all(const Agents& a, std::span<const std::size_t> open,
                std::vector<std::uint32_t>& chosen);

  std::uint16_t edge_of(std::size_t q) const { return pair_edge_[q]; }
  std::span<const Entry> queue(std::size_t q) const { return queues_[q]; }
  // What is wrong with the queues' account of who waits (invariants.cpp), or "".
  std::string check(const Model& m, const Agents& a) const;
  std::size_t bytes() const;

 private:
  static constexpr std::int32_t kTaken = INT32_MIN;
  bool live(const Agents& a, const Entry& e) const;
  void sweep_if_mostly_dead(const Agents& a, std::size_t q);

  std::vector<std::vector<Entry>> queues_;  // (pairs)
  std::vector<std::int64_t> dead_;          // entries no longer live, per queue (pairs)
  struct Join {
    Entry entry;
    std::uint32_t queue;
  };
  std::vector<std::vector<Join>> joined_;  // since the last settle, per thread (threads)
  std::vector<std::int64_t> gave_up_;      // since the last settle (threads x pairs)
  std::vector<std::uint16_t> pair_edge_;   // (pairs)
  std::vector<Join> scratch_;              // the joins being settled
  std::vector<Entry*> live_entries_;       // the live entries, for Floyd's algorithm
};

}  // namespace migrasim
