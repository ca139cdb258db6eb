// reads: agents.status, agents.status_step, agents.steps_left,
//        agents.times_sent_back, agents.savings_usd, agents.node, agents.region,
//        model reattempt rule, route (through journey.hpp), state.counts
// writes: agents.status, agents.status_step, agents.node, agents.edge, agents.steps_left,
//         agents.due_step, agents.savings_usd, agents.smuggler, agents.flags,
//         tally[reattempts, returned, stranded, node_released, departures by edge],
//         communities and smugglers (outcomes of journeys that end here), state.transit,
//         state.counts
//
// Release from detention. A traveller sent back from a checkpoint (screening)
// is held at the return node for the checkpoint's detention steps, then
// decides, having been sent back k times on this journey and holding savings
// S:
//   try again, with p = reattempt_probability * reattempt_factor_per_return^(k - 1)
//                     * min(1, max(0, S) / reattempt_savings_usd)
//     (the last factor 1 when reattempt_savings_usd is 0): it re-enters route
//     choice from the node, as a traveller passing it would (journey.hpp);
//   else go home with go_home_probability: back at its origin, final `returned`;
//   else stay where it was held: final `stranded`.
// Only the last two end the journey, so only they are news (a failure) to the
// traveller's community. The stage does nothing in a scenario without returns.
#include <omp.h>

#include <cmath>

#include "engine/agent_scan.hpp"
#include "engine/stages/journey.hpp"
#include "engine/stages/stages.hpp"
#include "engine/status_change.hpp"
#include "util/parallel.hpp"
#include "util/random.hpp"

namespace migrasim {
namespace {

// The chance that a traveller released after its k-th return tries again.
double reattempt_probability(const Model& m, int times_sent_back, float savings_usd) {
  double p = m.reattempt_probability *
             std::pow(m.reattempt_factor_per_return, std::max(0, times_sent_back - 1));
  if (m.reattempt_savings_usd > 0.0) {
    p *= std::min(1.0, std::max(0.0, static_cast<double>(savings_usd)) / m.reattempt_savings_usd);
  }
  return p;
}

}  // namespace

void release_from_detention(const Model& m, State& s) {
  if (!m.any_returns || agents_in(s, Status::kDetained) == 0) return;
  const StreamKey key = stream(m, s, StreamId::kReturns);
  Agents& a = s.agents;
  std::int64_t reattempts = 0, gone_home = 0, stranded = 0;
#pragma omp parallel reduction(+ : reattempts, gone_home, stranded) \
    if (static_cast<std::int64_t>(a.size()) > kSerialBelow)
  {
    const std::int64_t t = omp_get_thread_num();
    const std::int64_t team = omp_get_num_threads();
    for_each_slot_in_status(a, Status::kDetained, Status::kDetained, t, team, [&](std::int64_t i) {
      if (s.step - a.status_step[i] < a.steps_left[i]) return;  // still held
      const NodeId node = a.node[i];
#pragma omp atomic
      s.tally.axis[index(AxisSeries::kNodeReleased)][node] += 1.0;
      Draws draws(key, static_cast<std::uint32_t>(i));
      a.steps_left[i] = 0;
      if (draws.bernoulli(reattempt_probability(m, a.times_sent_back[i], a.savings_usd[i]))) {
        ++reattempts;
        continue_journey(m, s, i, node, draws);
        return;
      }
      a.status_step[i] = s.step;
      if (draws.bernoulli(m.go_home_probability)) {
        move_agent(s, static_cast<std::size_t>(i), Status::kReturned, m.region_origin[a.region[i]]);
        ++gone_home;
      } else {
        set_status(s, static_cast<std::size_t>(i), Status::kStranded);
        ++stranded;
      }
      report_outcome(s, static_cast<std::size_t>(i), Outcome::kFailure);
    });
  }
  s.tally.add(Series::kReattempts, reattempts);
  s.tally.add(Series::kReturned, gone_home);
  s.tally.add(Series::kStranded, stranded);
}

}  // namespace migrasim
