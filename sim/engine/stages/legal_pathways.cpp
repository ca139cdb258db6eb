// reads: agents.status, agents.flags, agents.region, agents.claim_strength, model pathways,
//        policy.pathway_open, state.counts
// writes: agents.status, agents.status_step, tally[legal_pathway_entries],
//         communities and smugglers (outcomes), state.counts
//
// Legal pathways. Aspirants who know of legal pathways apply to the first open
// pathway that admits their region and their claim strength. Each pathway
// admits at most capacity_per_day; when more apply, a uniformly random subset
// of that size is admitted (rationing.hpp). Those admitted leave legally (a
// final status, and news of an arrival for their community); the others stay
// aspirants, and wait up to the pathway's wait_days before setting out
// irregularly (see movement).
#include "engine/agent_scan.hpp"
#include "engine/stages/journey.hpp"
#include "engine/stages/stages.hpp"
#include "engine/status_change.hpp"
#include "util/parallel.hpp"
#include "util/random.hpp"

namespace migrasim {

void admit_through_legal_pathways(const Model& m, State& s) {
  const std::size_t npathways = m.pathway_count();
  if (npathways == 0 || agents_in(s, Status::kAspiring) == 0) return;
  Agents& a = s.agents;
  CandidatePools& queue = s.queue;
  queue.gather(
      npathways, static_cast<std::int64_t>(a.size()),
      [&](std::int64_t i) {
        if (a.status[i] != Status::kAspiring) return CandidatePools::kNoPool;
        const std::uint16_t p = eligible_pathway(m, s, static_cast<std::size_t>(i));
        return p == kNone ? CandidatePools::kNoPool : std::uint32_t{p};
      },
      SlotsInStatus{a.status.data(), Status::kAspiring, Status::kAspiring});
  const StreamKey key = stream(m, s, StreamId::kPathwayQueue);
  std::int64_t entries = 0;
  for (std::size_t p = 0; p < npathways; ++p) {
    queue.ration(p, s.policy.pathway_capacity_agents[p], key);
    const auto admitted = queue.admitted(p);
    const auto count = static_cast<std::int64_t>(admitted.size());
#pragma omp parallel for schedule(static) if (count > kSerialBelow)
    for (std::int64_t k = 0; k < count; ++k) {
      const std::uint32_t i = admitted[static_cast<std::size_t>(k)];
      set_status(s, i, Status::kLegalPathway);
      a.status_step[i] = s.step;
      report_outcome(s, i, Outcome::kArrival);
    }
    entries += count;
  }
  s.tally.add(Series::kLegalPathwayEntries, entries);
}

}  // namespace migrasim
