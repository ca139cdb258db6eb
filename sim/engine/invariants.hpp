// Checks of what must hold after every stage, used by the tests and by
// `migrasim run --check`: each agent in exactly one valid status with a
// location consistent with it, and agents conserved.
#pragma once

#include <string>

#include "engine/state.hpp"
#include "model/model.hpp"

namespace migrasim {

// Returns an empty string when every invariant holds, else the first violation.
std::string find_invariant_violation(const Model& model, const State& state);

}  // namespace migrasim
