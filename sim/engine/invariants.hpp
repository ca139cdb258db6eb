// Checks of what must hold after every stage, used by the tests and by
// `migrasim run --check`: each agent in exactly one valid status with a
// location consistent with it, and agents conserved.
//
// What --check costs and guarantees (docs/reliability.md, "Invariant checks"):
// checking every agent after every one of a step's stages made a run about 140
// times slower. kEveryStep checks every agent once per step, after its last
// stage, and after every other stage only the tables whose size does not grow
// with the agents (communities' beliefs, networks, checkpoints). The engine is
// deterministic, so when the end-of-step check fails the replicate is run
// again from its start checking everything after every stage up to that step,
// which names the stage that broke the invariant, as kEveryStage would have.
// What kEveryStep cannot see is a violation that a later stage of the same
// step repairs before the step ends; kEveryStage (`--check-stages`) does.
#pragma once

#include <cstdint>
#include <string>

#include "engine/simulation.hpp"
#include "engine/state.hpp"
#include "model/model.hpp"

namespace migrasim {

// Returns an empty string when every invariant holds, else the first violation
// (the one of the lowest agent index, where agents break them).
std::string find_invariant_violation(const Model& model, const State& state);

// Only the invariants whose cost does not grow with the number of agents.
std::string find_table_violation(const Model& model, const State& state);

enum class InvariantChecks : std::uint8_t {
  kOff,
  kEveryStep,   // everything at the end of every step; the tables after every stage
  kEveryStage,  // everything after every stage
};

// run_replicate with the invariants checked as `checks` says; `also` is called
// after every stage first, as run_replicate's observer would be (in a replay
// too, which therefore repeats what it does). A violation
// throws std::runtime_error "invariant violated in replicate R, step S, after
// stage X: what".
void run_replicate_checked(const Model& model, std::uint32_t replicate, State& state,
                           InvariantChecks checks, const StageObserver& also = {});

}  // namespace migrasim
