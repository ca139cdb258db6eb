// reads: model.region_hardship, model.region_repression, state.step
// writes: state.region_hardship, state.region_repression
//
// The environment of a step: each region's push factors interpolated at the
// step's start date.
#include "stages/stages.hpp"

namespace migrasim {

void update_environment(const Model& m, State& s) {
  const double day = m.day_of_step(s.step);
  for (std::size_t r = 0; r < m.region_count(); ++r) {
    s.region_hardship[r] = interpolate(m.region_hardship[r], day);
    s.region_repression[r] = interpolate(m.region_repression[r], day);
  }
}

}  // namespace migrasim
