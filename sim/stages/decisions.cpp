// reads: agents.status, agents.region, state.region_hardship, state.region_repression
// writes: agents.status, agents.status_step, tally.flow[new_aspirants]
//
// Migration decisions. An agent at home forms the intention to leave with the
// hazard per day
//   h = base_rate_per_day * exp(hardship_weight * H_r(t) + repression_weight * R_r(t)),
// H and R its home region's push factors, so the probability per step is
// 1 - exp(-h * step_days).
#include <cmath>

#include "random.hpp"
#include "stages/stages.hpp"

namespace migrasim {

void make_decisions(const Model& m, State& s) {
  const StreamKey key = stream(m, s, StreamId::kDecisions);
  Agents& a = s.agents;
  std::int64_t new_aspirants = 0;
  for (std::size_t r = 0; r < m.region_count(); ++r) {
    const double exponent = m.decision_hardship_weight * s.region_hardship[r] +
                            m.decision_repression_weight * s.region_repression[r];
    const double p_leave = -std::expm1(-m.decision_base_hazard * std::exp(exponent));
    const std::int64_t first = m.region_first_agent[r];
    const std::int64_t last = m.region_first_agent[r + 1];
#pragma omp parallel for schedule(static) reduction(+ : new_aspirants)
    for (std::int64_t i = first; i < last; ++i) {
      if (a.status[i] != Status::kAtHome) continue;
      Draws draws(key, static_cast<std::uint32_t>(i));
      if (draws.bernoulli(p_leave)) {
        a.status[i] = Status::kAspiring;
        a.status_step[i] = s.step;
        ++new_aspirants;
      }
    }
  }
  s.tally.flow[static_cast<std::size_t>(Flow::kNewAspirants)] += new_aspirants;
}

}  // namespace migrasim
