// The migrasim command line: run, validate, --version.
// Exit codes: 0 success, 2 bad usage or bad input, 1 any other failure.
#include <unistd.h>

#include <omp.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "errors.hpp"
#include "model.hpp"
#include "scenario.hpp"
#include "simulation.hpp"
#include "version.hpp"

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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"migrasim: agent-based simulation of irregular migration along a multi-country "
               "corridor, and of the policies that act on it."};
  app.set_version_flag("--version", std::string("migrasim ") + migrasim::kVersion);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 success; 2 bad usage or bad input (the message names file:line:column and "
      "the key); 1 any other failure; 130/143 stopped by SIGINT/SIGTERM (nothing written).\nSee README.md and docs/ for the scenario format and the output layout.");

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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    if (*validate) {
      const migrasim::Model m = load_model(validate_args);
      std::printf("%s: OK (%zu regions, %zu nodes, %zu edges, %zu checkpoints; %d steps of %g days; %u agents)\n",
                  validate_args.scenario.c_str(), m.region_count(), m.node_count(), m.edge_count(),
                  m.checkpoint_count(), m.steps, m.step_days, m.agents);
      return 0;
    }
    if (*run) {
      migrasim::Model m = load_model(run_args);
      if (seed >= 0) m.seed = static_cast<std::uint64_t>(seed);
      if (replicates > 0) m.replicates = static_cast<std::uint32_t>(replicates);

      // Refuse up front what would run out of memory halfway.
      const std::uint64_t needed = migrasim::estimated_memory_bytes(m);
      const std::uint64_t available = available_memory_bytes();
      if (available > 0 && needed > available) {
        throw migrasim::InputError(run_args.scenario + ": population.agents: " + std::to_string(m.agents) +
                                   " agents need about " + std::to_string(needed >> 20) + " MiB, but only " +
                                   std::to_string(available >> 20) +
                                   " MiB are available; use fewer agents and a larger persons_per_agent");
      }
      const int cores = omp_get_num_procs();
      if (threads > cores) {
        std::cerr << "migrasim: note: --threads " << threads << " capped at the " << cores
                  << " cores available (results do not depend on it)\n";
        threads = cores;
      }
      std::signal(SIGINT, on_stop_signal);
      std::signal(SIGTERM, on_stop_signal);

      migrasim::RunOptions options;
      options.threads = threads;
      options.check_invariants = check;
      options.overwrite = force;
      options.progress = !quiet && isatty(STDERR_FILENO);
      for (int i = 0; i < argc; ++i) {
        options.command_line += (i ? " " : "") + quote_for_shell(argv[i]);
      }
      const migrasim::RunSummary summary = migrasim::run_scenario(m, output, options);
      if (!quiet) std::cout << migrasim::format_summary(m, summary) << "wrote " << output << "\n";
      return 0;
    }
  } catch (const migrasim::Interrupted& stop) {
    std::cerr << "migrasim: stopped by signal " << stop.signal << "; no output written\n";
    return 128 + stop.signal;
  } catch (const migrasim::InputError& e) {
    std::cerr << "migrasim: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "migrasim: error: " << e.what() << "\n";
    return 1;
  }
  return 1;
}
