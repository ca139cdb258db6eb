// Running a scenario: every replicate from its initial population to the last
// step, each replicate's agents processed in parallel, output written as each
// replicate finishes.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "model.hpp"
#include "series.hpp"
#include "state.hpp"

namespace migrasim {

// Thrown between steps after stop_run() was called (e.g. from a SIGINT or
// SIGTERM handler); the output file's destructor then removes its temporary.
struct Interrupted {
  int signal;
};

// Asks a running simulation to stop at the end of the current step.
// Async-signal-safe.
void stop_run(int signal);

// Throws Interrupted if stop_run() was called; for loops that wait rather than step.
void check_stop();

// An estimate of the memory a run of `model` needs, in bytes.
std::uint64_t estimated_memory_bytes(const Model& model);

struct RunOptions {
  int threads = 0;               // 0: OpenMP's default
  bool check_invariants = false;  // verify invariants after every step (slow)
  bool overwrite = false;
  bool progress = false;  // a live progress line on stderr
  std::string command_line;
};

struct RunSummary {
  double seconds = 0.0;
  double agent_steps_per_second = 0.0;
  // Per replicate, per scalar series: total over the run for flows, final value
  // for stocks, in persons.
  std::vector<std::array<double, kSeriesCount>> totals;
};

// Called after every stage of every step when given (e.g. invariant checks).
using StageObserver = std::function<void(const State&, const char* stage_name)>;

// Runs one replicate in `state` (allocated by make_state). Leaves the
// replicate's series in state.recording.
void run_replicate(const Model& model, std::uint32_t replicate, State& state,
                   const StageObserver& after_stage = {});

// Runs every replicate and writes the output file; returns when the file is in
// place under `output`. Throws OutputError when it cannot be written.
RunSummary run_scenario(const Model& model, const std::filesystem::path& output,
                        const RunOptions& options);

// "H:MM:SS", for progress lines.
std::string format_duration(double seconds);

// A short table of the summary for the terminal.
std::string format_summary(const Model& model, const RunSummary& summary);

}  // namespace migrasim
