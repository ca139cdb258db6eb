// Days and steps: the shared conversions of rates per day into probabilities
// per step and of durations in days into counts of steps.
#pragma once

#include <cmath>
#include <cstdint>

namespace migrasim {

// Probability that an event with constant hazard `rate_per_day` happens within
// one step of `step_days`.
inline double probability_per_step(double rate_per_day, double step_days) {
  return -std::expm1(-rate_per_day * step_days);
}

// The number of whole steps that covers `days`: a wait of 2.5 days at 1-day
// steps lasts 3 steps. The tolerance keeps a duration that is a whole number of
// steps (30 days at 0.1-day steps) from gaining a step to rounding error.
inline std::int32_t steps_covering(double days, double step_days) {
  return static_cast<std::int32_t>(std::ceil(days / step_days - 1e-9));
}

}  // namespace migrasim
