// The migrasim command line: run, validate, --version.
// Exit codes: 0 success, 2 bad usage or bad input, 1 any other failure.
#include <unistd.h>

#include <omp.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <algorithm>
#include <cstdint>
#include <optional>
#include <fstream>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "bench.hpp"
#include "errors.hpp"
#include "model.hpp"
#include "scenario.hpp"
#include "simulation.hpp"
#include "sweep.hpp"
#include "version.hpp"
#ifdef MIGRASIM_HAVE_MPI
#include "sweep_mpi.hpp"
#endif

namespace {

std::string quote_for_shell(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n'\"\\$`*?[]{}()<>|&;#~") == std::string::npos) return arg;
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

extern "C" void on_stop_signal(int signal) { migrasim::stop_run(signal); }

// MemAvailable from /proc/meminfo, in bytes; 0 when unknown.
std::uint64_t available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return 0;
}

struct ScenarioArgs {
  std::string scenario;
  std::vector<std::string> overrides;
};

void add_scenario_args(CLI::App& command, ScenarioArgs& args) {
  command.add_option("scenario", args.scenario, "Scenario file (YAML)")->required();
  command.add_option("--set", args.overrides,
                     "Override a value of the scenario, e.g. --set route.edges.3.travel_days=9 "
                     "(list elements by index or by name; repeatable)")
      ->type_name("KEY.PATH=VALUE");
}

migrasim::Model load_model(const ScenarioArgs& args) {
  return migrasim::compile(migrasim::load_scenario(args.scenario, args.overrides));
}

// Refuses up front what would run out of memory halfway; `processes` share the machine.
void refuse_if_too_large(const migrasim::Model& m, const std::string& file, int processes = 1) {
  const std::uint64_t needed = migrasim::estimated_memory_bytes(m) * static_cast<std::uint64_t>(processes);
  const std::uint64_t available = available_memory_bytes();
  if (available > 0 && needed > available) {
    throw migrasim::InputError(file + ": population.agents: " + std::to_string(m.agents) + " agents" +
                               (processes > 1 ? " in each of " + std::to_string(processes) + " processes" : "") +
                               " need about " + std::to_string(needed >> 20) + " MiB, but only " +
                               std::to_string(available >> 20) +
                               " MiB are available; use fewer agents and a larger persons_per_agent");
  }
}

// --threads beyond the machine's cores only slows a run down.
int capped_threads(int threads) {
  const int cores = omp_get_num_procs();
  if (threads > cores) {
    std::cerr << "migrasim: note: --threads " << threads << " capped at the " << cores
              << " cores available (results do not depend on it)\n";
    return cores;
  }
  return threads;
}

std::string command_line_of(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + quote_for_shell(argv[i]);
  return line;
}

// The MPI session when started by mpirun, else nothing.
#ifdef MIGRASIM_HAVE_MPI
using Mpi = migrasim::MpiSession;
#else
struct Mpi {
  int rank() const { return 0; }
  int size() const { return 1; }
  int ranks_on_node() const { return 1; }
};
#endif

int run_cli(int argc, char** argv, const Mpi* mpi) {
  CLI::App app{"migrasim: agent-based simulation of irregular migration along a multi-country "
               "corridor, and of the policies that act on it."};
  app.set_version_flag("--version", std::string("migrasim ") + migrasim::kVersion);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 success; 2 bad usage or bad input (the message names file:line:column and "
      "the key); 1 any other failure (for sweep: also when members failed); 130/143 stopped by SIGINT/SIGTERM "
      "(run: nothing written; sweep: finished members kept in OUTPUT.partial for --resume).\nSee README.md and docs/ for the scenario format and the output layout.");

  ScenarioArgs run_args;
  std::string output;
  std::int64_t replicates = 0;
  std::int64_t seed = -1;
  int threads = 0;
  bool quiet = false;
  bool check = false;
  bool force = false;
  CLI::App* run = app.add_subcommand("run", "Run a scenario and write its HDF5/netCDF-4 output");
  add_scenario_args(*run, run_args);
  run->add_option("-o,--output", output, "Output file (.h5); written under a temporary name, then renamed")
      ->required();
  run->add_option("--replicates", replicates, "Number of replicates (default: the scenario's run.replicates)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000}));
  run->add_option("--seed", seed, "Random seed (default: the scenario's run.seed)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 53));
  run->add_option("--threads", threads, "OpenMP threads (default: all cores); results do not depend on it")
      ->check(CLI::Range(1, 1024));
  run->add_flag("--quiet", quiet, "No progress line and no summary");
  run->add_flag("--check", check, "Verify model invariants after every stage of every step (slower)");
  run->add_flag("--force", force, "Overwrite the output file if it exists");

  ScenarioArgs validate_args;
  CLI::App* validate = app.add_subcommand("validate", "Check a scenario file without running it");
  add_scenario_args(*validate, validate_args);

  migrasim::BenchOptions bench_options;
  bool bench_json = false;
  bool bench_no_limits = false;
  CLI::App* bench = app.add_subcommand(
      "bench", "Measure the speed of the full model on a scenario scaled to N agents (no output written), "
               "against the machine's memory bandwidth and random-draw rate measured in the same run");
  bench->add_option("--scenario", bench_options.scenario, "Scenario file (default: scenarios/baseline.yaml)");
  bench->add_option("--set", bench_options.overrides, "Override a value of the scenario (repeatable)")
      ->type_name("KEY.PATH=VALUE");
  bench->add_option("--agents", bench_options.agents,
                    "Agents; the scenario's persons are kept, spread over them (default: 1000000)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 31));
  bench->add_option("--steps", bench_options.steps, "Timed steps (default: 100)")->check(CLI::Range(1, 1 << 30));
  bench->add_option("--warmup-steps", bench_options.warmup_steps,
                    "Untimed steps run first (default: half the scenario's steps, so the timed steps see the "
                    "mix of a run in full flow; fewer if the timed steps would not fit)")
      ->check(CLI::Range(0, 1 << 30));
  bench->add_option("--threads", bench_options.threads, "OpenMP threads (default: all cores)")
      ->check(CLI::Range(1, 1024));
  bench->add_flag("--json", bench_json, "Print one JSON object instead of the table");
  bench->add_flag("--no-limits", bench_no_limits, "Skip measuring the machine's bandwidth and draw rate");

  std::string sweep_file;
  std::string sweep_output;
  int sweep_threads = 0;
  bool sweep_quiet = false;
  bool sweep_check = false;
  bool sweep_force = false;
  bool resume = false;
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Run every member of a parameter sweep (grid, Latin hypercube or Sobol) into one file; "
               "also under mpirun, members shared among the ranks");
  sweep->add_option("sweep", sweep_file, "Sweep file (YAML); see docs/sweeps.md")->required();
  sweep->add_option("-o,--output", sweep_output,
                    "Output file (.h5); written as OUTPUT.partial, renamed when every member has run")
      ->required();
  sweep->add_option("--threads", sweep_threads,
                    "OpenMP threads per process (default: the cores, shared among the MPI ranks on a node); "
                    "results do not depend on it")
      ->check(CLI::Range(1, 1024));
  sweep->add_flag("--resume", resume, "Continue from OUTPUT.partial, left by a stopped run of the same sweep");
  sweep->add_flag("--force", sweep_force, "Overwrite OUTPUT, and start over instead of resuming OUTPUT.partial");
  sweep->add_flag("--quiet", sweep_quiet, "No progress and no summary");
  sweep->add_flag("--check", sweep_check, "Verify model invariants after every stage (slower)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  const bool lead = mpi == nullptr || mpi->rank() == 0;  // the process that reports
  std::string stopped_note = "no output written";
  try {
    if (mpi != nullptr && mpi->size() > 1 && !*sweep) {
      throw migrasim::InputError("only `migrasim sweep` runs under mpirun; run the other commands directly");
    }
    if (*validate) {
      const migrasim::Model m = load_model(validate_args);
      std::printf("%s: OK (%zu regions, %zu nodes, %zu edges, %zu checkpoints; %d steps of %g days; %u agents)\n",
                  validate_args.scenario.c_str(), m.region_count(), m.node_count(), m.edge_count(),
                  m.checkpoint_count(), m.steps, m.step_days, m.agents);
      return 0;
    }
    if (*bench) {
      if (bench_options.scenario.empty()) bench_options.scenario = migrasim::find_baseline_scenario();
      if (bench_options.scenario.empty()) {
        throw migrasim::InputError("scenarios/baseline.yaml not found; name a scenario with --scenario");
      }
      bench_options.threads = capped_threads(bench_options.threads);
      bench_options.machine_limits = !bench_no_limits;
      const migrasim::BenchReport report = migrasim::run_bench(bench_options);
      std::cout << (bench_json ? migrasim::format_bench_json(report) : migrasim::format_bench_text(report));
      return 0;
    }
    if (*run) {
      migrasim::Model m = load_model(run_args);
      if (seed >= 0) m.seed = static_cast<std::uint64_t>(seed);
      if (replicates > 0) m.replicates = static_cast<std::uint32_t>(replicates);

      refuse_if_too_large(m, run_args.scenario);
      threads = capped_threads(threads);
      std::signal(SIGINT, on_stop_signal);
      std::signal(SIGTERM, on_stop_signal);

      migrasim::RunOptions options;
      options.threads = threads;
      options.check_invariants = check;
      options.overwrite = force;
      options.progress = !quiet && isatty(STDERR_FILENO);
      options.command_line = command_line_of(argc, argv);
      const migrasim::RunSummary summary = migrasim::run_scenario(m, output, options);
      if (!quiet) std::cout << migrasim::format_summary(m, summary) << "wrote " << output << "\n";
      return 0;
    }
    if (*sweep) {
      const migrasim::Sweep plan(migrasim::load_sweep(sweep_file));
      const int processes = mpi != nullptr ? mpi->ranks_on_node() : 1;
      refuse_if_too_large(plan.reference(), plan.spec().scenario_path, processes);
      // Ranks that share a node split its cores, unless the launcher already
      // bound each rank to its own (then OpenMP sees only those).
      const auto online = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
      if (sweep_threads == 0 && processes > 1 && omp_get_num_procs() >= online) {
        sweep_threads = std::max(1, online / processes);
      }
      sweep_threads = capped_threads(sweep_threads);
      std::signal(SIGINT, on_stop_signal);
      std::signal(SIGTERM, on_stop_signal);

      migrasim::SweepOptions options;
      options.threads = sweep_threads;
      options.overwrite = sweep_force;
      options.resume = resume;
      options.quiet = sweep_quiet || !lead;
      options.progress = !options.quiet && isatty(STDERR_FILENO);
      options.check_invariants = sweep_check;
      options.command_line = command_line_of(argc, argv);
      stopped_note = "finished members are kept in " + migrasim::SweepFile::partial_path(sweep_output).string() +
                     "; run the same command with --resume to continue";
      migrasim::SweepSummary summary;
#ifdef MIGRASIM_HAVE_MPI
      if (mpi != nullptr && mpi->size() > 1) {
        summary = migrasim::run_sweep_mpi(*mpi, plan, sweep_output, options);
      } else {
        summary = migrasim::run_sweep(plan, sweep_output, options);
      }
#else
      summary = migrasim::run_sweep(plan, sweep_output, options);
#endif
      if (!lead) return 0;
      if (!options.quiet) std::cout << migrasim::format_sweep_summary(plan, summary, sweep_output);
      if (!summary.failures.empty()) {
        std::cerr << "migrasim: " << summary.failures.size() << " of " << summary.members
                  << " members failed (listed above; member_status = 2 in the file)\n";
        return 1;
      }
      return 0;
    }
#ifdef MIGRASIM_HAVE_MPI
  } catch (const migrasim::PeerFailed& peer) {
    return peer.code;  // rank 0 has said why
#endif
  } catch (const migrasim::Interrupted& stop) {
    if (lead) std::cerr << "migrasim: stopped by signal " << stop.signal << "; " << stopped_note << "\n";
    return 128 + stop.signal;
  } catch (const migrasim::InputError& e) {
    if (lead) std::cerr << "migrasim: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    if (lead) std::cerr << "migrasim: error: " << e.what() << "\n";
    return 1;
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef MIGRASIM_HAVE_MPI
  std::optional<migrasim::MpiSession> mpi;
  if (migrasim::launched_by_mpi()) mpi.emplace(&argc, &argv);
  const int code = run_cli(argc, argv, mpi ? &*mpi : nullptr);
  // Other ranks wait on this one: end them all rather than leave them hanging.
  if (code != 0 && mpi && mpi->collective_in_progress()) mpi->abort(code);
  return code;
#else
  return run_cli(argc, argv, nullptr);
#endif
}
