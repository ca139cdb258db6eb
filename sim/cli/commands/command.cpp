#include "cli/commands/command.hpp"

#include <omp.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <new>

#include "engine/simulation.hpp"
#include "input/scenario.hpp"
#include "util/errors.hpp"
#include "util/quoting.hpp"
#include "util/safe_file.hpp"
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

Model load_model(const ScenarioArgs& args, std::vector<std::string>* input_files,
                 std::vector<ScenarioWarning>* warnings) {
  try {
    Scenario scenario = load_scenario(args.scenario, args.overrides);
    if (input_files != nullptr) {
      input_files->push_back(args.scenario);
      for (const auto& [path, text] : scenario.source_files) input_files->push_back(path);
    }
    Model model = compile(scenario);
    if (warnings != nullptr) *warnings = find_warnings(scenario, model);
    return model;
  } catch (const std::bad_alloc&) {
    // Bad input (a huge file under a memory limit), not a failure of the run.
    throw InputError(excerpt(args.scenario, 4096) + ": out of memory while reading the scenario");
  }
}

void print_warnings(const std::vector<ScenarioWarning>& warnings) {
  for (const ScenarioWarning& w : warnings) {
    std::fprintf(stderr, "migrasim: warning: %s\n", w.text().c_str());
  }
}

void refuse_output_over_inputs(const std::string& output,
                               const std::vector<std::string>& input_files) {
  for (const std::string& input : input_files) {
    if (same_file(output, input)) {
      throw InputError(quote(output, 4096) + ": the output would replace the input file " +
                       quote(input, 4096) + "; choose another output name");
    }
  }
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
  // OMP_NUM_THREADS=1000 would start a thousand threads on a few cores and make
  // a run many times slower: the environment is capped like the option.
  if (threads == 0 && omp_get_max_threads() > cores) {
    std::cerr << "migrasim: note: OMP_NUM_THREADS=" << omp_get_max_threads() << " capped at the "
              << cores << " cores available (results do not depend on it)\n";
    return cores;
  }
  return threads;
}

void stop_on_signals() {
  // Every signal that would end the process and can be caught stops the run the
  // same way, so none leaves a temporary file: SIGHUP (a closed terminal or SSH
  // session) like SIGTERM, and the ones a batch system or a user may send.
  // sigaction without SA_RESTART is not needed: the handler only sets a flag.
  for (const int signal :
       {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGXCPU, SIGVTALRM}) {
    std::signal(signal, on_stop_signal);
  }
}

}  // namespace migrasim::cli
