// `migrasim bench`: the speed of the full model on a scenario scaled to a given
// number of agents, set against the machine's own limits measured in the same
// process (memory read-modify-write over the same bytes, random draws), so a
// figure can be quoted both absolutely and as a fraction of what the machine
// can do. Nothing is written to disk.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/state.hpp"

namespace migrasim {

struct BenchOptions {
  std::string scenario;                // scenario file (YAML)
  std::vector<std::string> overrides;  // --set key.path=value
  std::int64_t agents = 1'000'000;     // the population is rescaled to this many agents
  std::int32_t steps = 100;            // timed steps
  std::int32_t warmup_steps = -1;      // untimed steps first; -1: half the scenario's steps
  int threads = 0;                     // 0: OpenMP's default
  bool machine_limits = true;          // measure memory bandwidth and draw rate
  // A posterior file of `migrasim calibrate`: the run takes the particle that
  // `run --posterior` gives replicate 0 of the scenario's seed (the replicate
  // the benchmark runs), so the speed is measured at calibrated values.
  std::string posterior;
};

struct BenchStageTime {
  std::string name;
  double seconds = 0.0;  // over all timed steps
};

struct BenchReport {
  // What ran
  std::string scenario_name;
  std::string scenario_file;
  std::int64_t agents = 0;
  double persons_per_agent = 0.0;  // persons fixed, so the scenario's mix of statuses is kept
  int threads = 0;
  std::int32_t scenario_steps = 0;
  std::int32_t warmup_steps = 0;
  std::int32_t steps = 0;
  std::string first_timed_date;  // start of the first timed step
  std::string last_timed_date;   // start of the last timed step
  // With a posterior: its file, the particle run (else -1) and its values.
  std::string posterior_file;
  std::int64_t posterior_particle = -1;
  std::vector<std::pair<std::string, double>> posterior_values;  // parameter name, value
  // The population when timing began: share of agents per status, and aware of the route.
  std::array<double, kStatusCount> status_share{};
  double route_aware_share = 0.0;

  // Time
  double compile_seconds = 0.0;     // scenario read and compiled
  double allocate_seconds = 0.0;    // make_state
  double initialize_seconds = 0.0;  // initialize_population
  double setup_seconds = 0.0;       // the three above
  double warmup_seconds = 0.0;
  double timed_seconds = 0.0;  // wall time of the timed steps
  double agent_steps_per_second = 0.0;
  std::vector<BenchStageTime> stages;  // in step order; their sum is about timed_seconds

  // Memory, in bytes per agent
  double hot_bytes_per_agent = 0.0;  // agent columns, per agent who left home (2 at home)
  // everything in State (agents at home, the slots in use, reserved scratch, tables) / agents
  double state_bytes_per_agent = 0.0;
  double peak_rss_bytes = 0.0;  // getrusage maximum resident set size after the timed steps
  double peak_rss_bytes_per_agent = 0.0;

  // The machine, same process and thread count (0 when not measured)
  double rmw_agents_per_second =
      0.0;  // passes of read-modify-write over hot_bytes_per_agent x agents (at most 1 GiB)
  double rmw_bytes_per_second = 0.0;  // bytes read and written back per second
  double draws_per_second = 0.0;      // Philox4x32-10 blocks per second, one per (agent, stream)
  std::string draw_kernel;  // the kernel that drew them, and the model's draws (random.hpp)

  double fraction_of_rmw() const {
    return rmw_agents_per_second > 0.0 ? agent_steps_per_second / rmw_agents_per_second : 0.0;
  }
  double fraction_of_draws() const {
    return draws_per_second > 0.0 ? agent_steps_per_second / draws_per_second : 0.0;
  }
};

// scenarios/baseline.yaml, looked for under the working directory and then
// next to the executable's build directory; empty if neither has it.
std::string find_baseline_scenario();

// Runs the benchmark. Throws InputError for a bad scenario or bad options
// (e.g. more steps than the scenario has).
BenchReport run_bench(const BenchOptions& options);

// A table for the terminal.
std::string format_bench_text(const BenchReport& report);

// One JSON object (keys documented in docs/performance.md).
std::string format_bench_json(const BenchReport& report);

// The machine's limits on their own, for `threads` threads (0: OpenMP's
// default): passes of read-modify-write over `bytes` bytes, in bytes per
// second, and Philox blocks per second over `draws` counters.
double measure_rmw_bytes_per_second(std::size_t bytes, int threads);
double measure_draws_per_second(std::int64_t draws, int threads);

}  // namespace migrasim
