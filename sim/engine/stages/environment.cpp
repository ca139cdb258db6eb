// reads: model.region_hardship, model.region_repression, model.region_exit_restriction,
//        model standing rules and interventions, state.step
// writes: state.region_hardship, state.region_repression, state.region_exit_probability,
//         state.policy, tally[intervention_cost_usd]
//
// The environment of a step: each region's push factors interpolated at the
// step's start date, and the chance that an aspirant may leave during the step,
// 1 - restriction ^ step_days for a daily exit restriction; and the policy in
// force during the step (engine/policy.cpp), with what it costs.
#include <cmath>

#include "engine/stages/stages.hpp"

namespace migrasim {

void update_environment(const Model& m, State& s) {
  const double day = m.day_of_step(s.step);
  for (std::size_t r = 0; r < m.region_count(); ++r) {
    s.region_hardship[r] = interpolate(m.region_hardship[r], day);
    s.region_repression[r] = interpolate(m.region_repression[r], day);
    s.region_exit_probability[r] =
        1.0 - std::pow(interpolate(m.region_exit_restriction[r], day), m.step_days);
  }
  apply_policy_schedule(m, s.step, s.policy);
  s.tally.add(Series::kInterventionCostUsd, s.policy.cost_usd);
}

}  // namespace migrasim
