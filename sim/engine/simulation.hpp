// Running one replicate from its initial population to the last step, and
// stopping a run between steps when asked (a signal).
#pragma once

#include <cstdint>
#include <functional>

#include "engine/state.hpp"
#include "model/model.hpp"

namespace migrasim {

// Thrown between steps after stop_run() was called (e.g. from a SIGINT or
// SIGTERM handler); whoever writes output then removes its temporary.
struct Interrupted {
  int signal;
};

// Asks a running simulation to stop at the end of the current step.
// Async-signal-safe.
void stop_run(int signal);

// Throws Interrupted if stop_run() was called; for loops that wait rather than step.
void check_stop();

// Forgets a stop request, for a process that goes on after a stopped run (the
// Python module, where KeyboardInterrupt stops one run, not the interpreter).
void clear_stop();

// An estimate of the memory a run of `model` needs, in bytes.
std::uint64_t estimated_memory_bytes(const Model& model);

// Called after every stage of every step when given (e.g. invariant checks).
using StageObserver = std::function<void(const State&, const char* stage_name)>;

// Runs one replicate in `state` (allocated by make_state). Leaves the
// replicate's series in state.recording.
void run_replicate(const Model& model, std::uint32_t replicate, State& state,
                   const StageObserver& after_stage = {});

}  // namespace migrasim
