// reads: agents.status, agents.flags, agents.region, agents.perceived_success,
//        agents.perceived_danger, agents.risk_tolerance, agents.savings_usd,
//        state.region_hardship, state.region_repression
// writes: agents.status, agents.status_step, tally[new_aspirants]
//
// Migration decisions. An agent at home who knows the route forms the
// intention to leave with the hazard per day
//   h = base_rate_per_day * exp(w_H H_r + w_R R_r + w_S (s - 0.5) - w_D d (1 - rho))
//       * min(1, savings / route_cost_r) ^ cost_elasticity,
// H_r, R_r its region's push factors, s and d its perceived success and danger,
// rho its risk tolerance; the probability per step is 1 - exp(-h * step_days).
#include <algorithm>
#include <cmath>

#include "random.hpp"
#include "stages/stages.hpp"

namespace migrasim {

void make_decisions(const Model& m, State& s) {
  const StreamKey key = stream(m, s, StreamId::kDecisions);
  Agents& a = s.agents;
  const double w_success = m.decision_success_weight;
  const double w_danger = m.decision_danger_weight;
  const double elasticity = m.decision_cost_elasticity;
  const bool individual = w_success != 0.0 || w_danger != 0.0 || elasticity != 0.0;
  std::int64_t new_aspirants = 0;
  for (std::size_t r = 0; r < m.region_count(); ++r) {
    const double regional_hazard =
        m.decision_base_hazard * std::exp(m.decision_hardship_weight * s.region_hardship[r] +
                                          m.decision_repression_weight * s.region_repression[r]);
    const double p_regional = -std::expm1(-regional_hazard);
    const double route_cost = m.region_route_cost_usd[r];
    const std::int64_t first = m.region_first_agent[r];
    const std::int64_t last = m.region_first_agent[r + 1];
#pragma omp parallel for schedule(static) reduction(+ : new_aspirants)
    for (std::int64_t i = first; i < last; ++i) {
      if (a.status[i] != Status::kAtHome || !(a.flags[i] & kRouteAware)) continue;
      double p_leave = p_regional;
      if (individual) {
        const double attitude = w_success * (a.perceived_success[i] - 0.5) -
                                w_danger * a.perceived_danger[i] * (1.0 - a.risk_tolerance[i]);
        const double affordable =
            route_cost > 0.0 ? std::clamp(a.savings_usd[i] / route_cost, 0.0, 1.0) : 1.0;
        p_leave = -std::expm1(-regional_hazard * std::exp(attitude) * std::pow(affordable, elasticity));
      }
      Draws draws(key, static_cast<std::uint32_t>(i));
      if (draws.bernoulli(p_leave)) {
        a.status[i] = Status::kAspiring;
        a.status_step[i] = s.step;
        ++new_aspirants;
      }
    }
  }
  s.tally.add(Series::kNewAspirants, new_aspirants);
}

}  // namespace migrasim
