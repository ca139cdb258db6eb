// reads: agents.status, agents.flags, agents.risk_tolerance, agents.savings_usd,
//        communities (belief_success, belief_danger), state.region_hardship,
//        state.region_repression
// writes: agents.status, agents.status_step, communities.at_home, state.left_home,
//         tally[new_aspirants]
//
// Migration decisions. An agent at home who knows the route forms the
// intention to leave with the hazard per day
//   h = base_rate_per_day * exp(w_H H_r + w_R R_r + w_S (s - 0.5) - w_D d (1 - rho))
//       * min(1, savings / route_cost_r) ^ cost_elasticity,
// H_r, R_r its region's push factors, s and d its perceived success and danger,
// rho its risk tolerance; the probability per step is 1 - exp(-h * step_days).
//
// The agent's draw is taken first and set against the largest probability any
// member of its community can have this step (risk tolerance 1, savings enough);
// only the few draws below it need the agent's own exp and pow, and the
// outcome is the same as computing every agent's probability.
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "engine/agent_scan.hpp"
#include "engine/stages/stages.hpp"
#include "util/random.hpp"

namespace migrasim {

void make_decisions(const Model& m, State& s) {
  const StreamKey key = stream(m, s, StreamId::kDecisions);
  Agents& a = s.agents;
  Communities& c = s.communities;
  const double w_success = m.decision_success_weight;
  const double w_danger = m.decision_danger_weight;
  const double elasticity = m.decision_cost_elasticity;
  const bool individual = w_success != 0.0 || w_danger != 0.0 || elasticity != 0.0;
  // At home and aware of the route.
  const AgentFilter deciding{a.status.data(), Status::kAtHome, Status::kAtHome,
                             a.flags.data(),  kRouteAware,     kRouteAware};
  const auto n = static_cast<std::int64_t>(a.size());
  AgentList& left_home = s.left_home;
  std::int64_t new_aspirants = 0;
  std::size_t team = 1;
  // Shares as for_each_thread_range cuts them, for left_home's queue.
#pragma omp parallel num_threads(static_cast<int>(left_home.threads())) reduction(+ : new_aspirants)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
#pragma omp single
    team = static_cast<std::size_t>(omp_get_num_threads());
    const std::int64_t lo = n * static_cast<std::int64_t>(t) / static_cast<std::int64_t>(team);
    const std::int64_t hi = n * static_cast<std::int64_t>(t + 1) / static_cast<std::int64_t>(team);
    std::int64_t aspirants = 0;
    for_each_community_run(m, lo, hi, [&](std::size_t k, std::int64_t first, std::int64_t last) {
      const std::int64_t before = aspirants;
      const RegionId r = m.community_region[k];
      const double regional_hazard =
          m.decision_base_hazard * std::exp(m.decision_hardship_weight * s.region_hardship[r] +
                                            m.decision_repression_weight * s.region_repression[r]);
      const double p_regional = -std::expm1(-regional_hazard);
      const double route_cost = s.policy.region_route_cost_usd[r];
      const float success = c.belief_success[k];
      const float danger = c.belief_danger[k];
      // Draws at or above `exact_below` cannot lead to leaving; those below are
      // checked against the agent's own probability.
      std::uint64_t exact_below = bernoulli_threshold(p_regional);
      if (individual) {
        if (elasticity >= 0.0) {
          // attitude <= w_S (s - 0.5) - min(0, w_D d) for risk tolerance in
          // [0, 1], and affordability^elasticity <= 1; the margin covers the
          // rounding of exp and expm1.
          const double danger_term = w_danger * danger;
          const double attitude_max = w_success * (success - 0.5) - std::min(0.0, danger_term);
          const double p_max = -std::expm1(-regional_hazard * std::exp(attitude_max));
          exact_below = bernoulli_threshold(p_max * (1.0 + 0x1p-30)) + 1;
        } else {
          exact_below = std::uint64_t{1} << 32;  // no bound: every draw is checked
        }
      }
      for_each_drawn_below(
          key, deciding, first, last, exact_below, [&](std::uint32_t i, std::uint32_t bits) {
            double p_leave = p_regional;
            if (individual) {
              const double attitude =
                  w_success * (success - 0.5) - w_danger * danger * (1.0 - a.risk_tolerance[i]);
              const double affordable =
                  route_cost > 0.0 ? std::clamp(a.savings_usd[i] / route_cost, 0.0, 1.0) : 1.0;
              p_leave = -std::expm1(-regional_hazard * std::exp(attitude) *
                                    std::pow(affordable, elasticity));
            }
            if (uniform_from_bits(bits) < p_leave) {
              a.status[i] = Status::kAspiring;
              a.status_step[i] = s.step;
              left_home.queue(t, lo, i);
              ++aspirants;
            }
          });
      if (aspirants > before) {
#pragma omp atomic
        c.at_home[k] -= aspirants - before;
      }
    });
    new_aspirants += aspirants;
  }
  left_home.merge_pending(n, team);
  s.tally.add(Series::kNewAspirants, new_aspirants);
}

}  // namespace migrasim
