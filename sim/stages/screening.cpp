// reads: agents.status, agents.node, model checkpoints
// writes: agents.status, agents.status_step, agents.node, agents.edge,
//         agents.steps_left, agents.savings_usd, state.checkpoint_screened,
//         tally[border_encounters, apprehensions, evaded, returned, asylum_claims],
//         communities.arrivals, communities.failures
//
// Screening at checkpoints. A checkpoint screens at most its throughput per
// step; when more are waiting, a uniformly random subset of that size is
// screened (see rationing.hpp) and the rest wait for the next step. A screened
// agent is detected with the checkpoint's detection probability. Detected
// agents are apprehended (counted as border encounters at border nodes) and
// either claim asylum or are returned; undetected agents move on.
#include "random.hpp"
#include "stages/journey.hpp"
#include "stages/stages.hpp"

namespace migrasim {

void screen_at_checkpoints(const Model& m, State& s) {
  const std::size_t ncheckpoints = m.checkpoint_count();
  if (ncheckpoints == 0) return;
  Agents& a = s.agents;
  CandidatePools& queue = s.queue;
  queue.gather(ncheckpoints, static_cast<std::int64_t>(a.size()), [&](std::int64_t i) {
    return a.status[i] == Status::kHeldAtCheckpoint ? std::uint32_t{m.node_checkpoint[a.node[i]]}
                                                    : CandidatePools::kNoPool;
  });

  const StreamKey queue_key = stream(m, s, StreamId::kScreeningQueue);
  const StreamKey key = stream(m, s, StreamId::kScreening);
  std::int64_t encounters = 0, apprehensions = 0, evaded = 0, returned = 0, claims = 0;
  for (std::size_t c = 0; c < ncheckpoints; ++c) {
    queue.ration(c, m.checkpoint_capacity_agents[c], queue_key);
    const auto screened = queue.admitted(c);
    s.checkpoint_screened[c] = static_cast<std::int64_t>(screened.size());
    const NodeId node = m.checkpoint_node[c];
    const bool at_border = m.node_kind[node] == NodeKind::kBorder;
    const double p_detect = m.checkpoint_detection_probability[c];
    const double p_claim = m.checkpoint_asylum_claim_probability[c];
    const auto count = static_cast<std::int64_t>(screened.size());

#pragma omp parallel for schedule(static) \
    reduction(+ : encounters, apprehensions, evaded, returned, claims)
    for (std::int64_t k = 0; k < count; ++k) {
      const std::uint32_t i = screened[static_cast<std::size_t>(k)];
      Draws draws(key, i);
      if (draws.bernoulli(p_detect)) {
        ++apprehensions;
        encounters += at_border;
        a.status_step[i] = s.step;
        // A claim lets the claimant stay while it is heard: news of an arrival.
        if (draws.bernoulli(p_claim)) {
          a.status[i] = Status::kInAsylumProcessing;
          ++claims;
          report_outcome(s, i, Outcome::kArrival);
        } else {
          a.status[i] = Status::kReturned;
          ++returned;
          report_outcome(s, i, Outcome::kFailure);
        }
      } else {
        ++evaded;
        continue_journey(m, s, i, node, draws);
      }
    }
  }
  s.tally.add(Series::kBorderEncounters, encounters);
  s.tally.add(Series::kApprehensions, apprehensions);
  s.tally.add(Series::kEvaded, evaded);
  s.tally.add(Series::kReturned, returned);
  s.tally.add(Series::kAsylumClaims, claims);
}

}  // namespace migrasim
