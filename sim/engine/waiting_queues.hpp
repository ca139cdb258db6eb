// Queues of agents waiting in one status for a capacity (a smuggling
// network's places, an asylum system's decisions), kept as agents start
// waiting, so that a stage chooses who gets a place without a pass over
// everyone waiting. At 1:1 over a large origin population a network takes a
// few hundred clients a day and an asylum system decides a few dozen claims
// while millions wait: a pass over the queue each step would cost per waiting
// agent, this costs per place.
//
// An entry is (agent, the step it began waiting). Agents leave a queue by
// being chosen or by leaving otherwise (giving up) without their entry being
// removed: an entry is live while its agent is still in the status and has
// been since that step; the dead are counted, and swept out when they
// outnumber the live. Those who start waiting during a step (any stage, any
// thread) join per-thread lists, added to the queues in agent order by
// settle(): the queues' order, and so every result, is the same for any
// number of threads, and each queue is in order of the step its agents began
// waiting (a batch settled holds the joins since the last settle), so those
// who have waited long enough are a prefix of it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "util/random.hpp"

namespace migrasim {

struct Agents;
enum class Status : std::uint8_t;

class WaitingQueues {
 public:
  struct Entry {
    std::uint32_t agent;  // kChosen set while it is being chosen
    std::int32_t since;   // its status_step when it began waiting
  };

  // `queues` queues of agents in status `waiting`, joined by up to `threads`
  // threads at a time.
  void allocate(std::size_t queues, std::size_t threads, Status waiting);
  void clear();

  // Agent i starts waiting in queue q at `step`, from the calling thread.
  void join(std::size_t thread, std::uint32_t i, std::int32_t step, std::size_t q) {
    joined_[thread].push_back({{i, step}, static_cast<std::uint32_t>(q)});
  }
  // One waiting in queue q left it without being chosen, from the calling thread.
  void left(std::size_t thread, std::size_t q) { ++left_[thread * queues() + q]; }

  // Adds the joins since the last call to the queues, in agent order, and
  // counts those who left.
  void settle();

  std::size_t queues() const { return queues_.size(); }
  // Agents waiting in queue q (after settle()).
  std::int64_t waiting(std::size_t q) const {
    return static_cast<std::int64_t>(queues_[q].size()) - dead_[q];
  }

  // Chooses `keep` of the agents waiting in the queues `open` since
  // `ready_step` or before, every subset of that size equally likely, into
  // `chosen` (cleared first; in increasing agent order), or all of them when
  // they are no more than keep. The chosen must leave the status (or start
  // it again) before the next call. Draws come from `draws` (the pool's
  // stream) and, when most of the ready are chosen, from the streams of key
  // for the candidates.
  void choose(const Agents& a, std::span<const std::size_t> open, std::int64_t keep,
              std::int32_t ready_step, Draws& draws, const StreamKey& key,
              std::vector<std::uint32_t>& chosen);

  std::span<const Entry> queue(std::size_t q) const { return queues_[q]; }
  // What is wrong with the queues' account, given the agents in the status
  // per queue (invariants.cpp), or "".
  std::string check(const Agents& a, std::span<const std::int64_t> waiting_in) const;
  std::size_t bytes() const;

 private:
  static constexpr std::uint32_t kChosen = 0x80000000u;  // agents are below 2^31
  struct Join {
    Entry entry;
    std::uint32_t queue;
  };
  bool live(const Agents& a, const Entry& e) const;
  // The length of queue q's prefix of entries waiting since ready_step or before.
  std::size_t ready_prefix(std::size_t q, std::int32_t ready_step) const;
  void sweep(const Agents& a, std::size_t q);

  Status waiting_{};
  std::vector<std::vector<Entry>> queues_;  // (queues)
  std::vector<std::int64_t> dead_;          // entries no longer live, per queue (queues)
  std::vector<std::vector<Join>> joined_;   // since the last settle, per thread (threads)
  std::vector<std::int64_t> left_;          // since the last settle (threads x queues)
  std::vector<Join> scratch_;               // the joins being settled
  std::vector<Entry*> ready_entries_;       // the live ready entries, for Floyd's algorithm
  std::vector<std::uint32_t> ready_queue_;  // ... and their queues
  std::vector<std::size_t> prefixes_;       // the ready prefixes of the open queues
};

}  // namespace migrasim
