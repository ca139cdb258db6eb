// One step of the simulation: the stages in their fixed order.
#pragma once

#include <span>

#include "engine/state.hpp"
#include "model/model.hpp"

namespace migrasim {

struct Stage {
  const char* name;
  void (*run)(const Model&, State&);
};

// The stages in the order step() runs them.
std::span<const Stage> stages();

// Advances the state by one step (state.step is the step being computed).
void step(const Model& model, State& state);

}  // namespace migrasim
