// reads: agents.status, agents.status_step, agents.claim_strength
// writes: agents.status, agents.status_step, tally[asylum_granted, removed],
//         communities.failures
//
// Asylum processing. A claim becomes eligible for a decision once it has waited
// min_processing_days. At most capacity_per_day claims are decided per day;
// when more are eligible, a uniformly random subset of that size is decided
// (see rationing.hpp) and the rest wait. A decided claim is granted with
// probability equal to the claimant's claim strength; a denied claimant is
// removed.
#include "engine/agent_scan.hpp"
#include "engine/stages/journey.hpp"
#include "engine/stages/stages.hpp"
#include "util/parallel.hpp"
#include "util/random.hpp"

namespace migrasim {

void process_asylum(const Model& m, State& s) {
  Agents& a = s.agents;
  const std::int32_t ready_step = s.step - s.policy.asylum_min_processing_steps[0];
  CandidatePools& queue = s.queue;
  queue.gather(
      1, static_cast<std::int64_t>(a.size()),
      [&](std::int64_t i) {
        const bool eligible =
            a.status[i] == Status::kInAsylumProcessing && a.status_step[i] <= ready_step;
        return eligible ? 0u : CandidatePools::kNoPool;
      },
      ListedAgentsInStatus{s.left_home, a.status.data(), Status::kInAsylumProcessing,
                           Status::kInAsylumProcessing,
                           [&](std::uint32_t i) { prefetch_line(&a.status_step[i]); }});
  queue.ration(0, s.policy.asylum_capacity_agents[0], stream(m, s, StreamId::kAsylumQueue));
  const auto decided = queue.admitted(0);
  const auto count = static_cast<std::int64_t>(decided.size());

  const StreamKey key = stream(m, s, StreamId::kAsylum);
  std::int64_t granted = 0, removed = 0;
#pragma omp parallel for schedule(static) reduction(+ : granted, removed) if (count > kSerialBelow)
  for (std::int64_t k = 0; k < count; ++k) {
    const std::uint32_t i = decided[static_cast<std::size_t>(k)];
    Draws draws(key, i);
    a.status_step[i] = s.step;
    if (draws.bernoulli(a.claim_strength[i])) {
      a.status[i] = Status::kAdmitted;
      ++granted;
    } else {
      a.status[i] = Status::kRemoved;
      ++removed;
      report_outcome(s, i, Outcome::kFailure);
    }
  }
  s.tally.add(Series::kAsylumGranted, granted);
  s.tally.add(Series::kRemoved, removed);
}

}  // namespace migrasim
