#include "cli/commands/command.hpp"

#include <omp.h>

#include <csignal>
#include <cstdint>
#include <iostream>

#include "engine/simulation.hpp"
#include "input/scenario.hpp"
#include "util/errors.hpp"
#include "util/system.hpp"

namespace migrasim::cli {
namespace {

extern "C" void on_stop_signal(int signal) { stop_run(signal); }

}  // namespace

void add_scenario_args(CLI::App& command, ScenarioArgs& args) {
  command.add_option("scenario", args.scenario, "Scenario file (YAML)")->required();
  command
      .add_option("--set", args.overrides,
                  "Override a value of the scenario, e.g. --set route.edges.3.travel_days=9 "
                  "(list elements by index or by name; repeatable)")
      ->type_name("KEY.PATH=VALUE");
}

Model load_model(const ScenarioArgs& args) {
  return compile(load_scenario(args.scenario, args.overrides));
}

void refuse_if_too_large(const Model& m, const std::string& file, int processes) {
  const std::uint64_t needed = estimated_memory_bytes(m) * static_cast<std::uint64_t>(processes);
  const std::uint64_t available = available_memory_bytes();
  if (available > 0 && needed > available) {
    throw InputError(
        file + ": population.agents: " + std::to_string(m.agents) + " agents" +
        (processes > 1 ? " in each of " + std::to_string(processes) + " processes" : "") +
        " need about " + std::to_string(needed >> 20) + " MiB, but only " +
        std::to_string(available >> 20) +
        " MiB are available; use fewer agents and a larger persons_per_agent");
  }
}

int capped_threads(int threads) {
  const int cores = omp_get_num_procs();
  if (threads > cores) {
    std::cerr << "migrasim: note: --threads " << threads << " capped at the " << cores
              << " cores available (results do not depend on it)\n";
    return cores;
  }
  return threads;
}

void stop_on_signals() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

}  // namespace migrasim::cli
