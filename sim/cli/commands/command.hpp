// The subcommands of the migrasim executable, one file each: a subcommand
// declares its options on the app, and runs when the user chose it. Shared
// here: how a scenario is named on the command line, and the checks every
// command that runs a model makes before it starts.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "model/model.hpp"
#include "model/warnings.hpp"
#ifdef MIGRASIM_HAVE_MPI
#include "sweep/sweep_mpi.hpp"
#endif

namespace migrasim::cli {

// The MPI session when started by mpirun, else a stand-in of one process.
#ifdef MIGRASIM_HAVE_MPI
using Mpi = MpiSession;
#else
struct Mpi {
  int rank() const { return 0; }
  int size() const { return 1; }
  int ranks_on_node() const { return 1; }
};
#endif

// What every command may need besides its own options.
struct Invocation {
  std::string command_line;  // as typed, quoted for a shell, for the output file
  const Mpi* mpi = nullptr;  // null unless started by mpirun
  bool lead() const { return mpi == nullptr || mpi->rank() == 0; }  // the process that reports
};

class Command {
 public:
  virtual ~Command() = default;
  // Runs the command; returns the exit code. Throws InputError (exit 2),
  // Interrupted (128 + signal) or another exception (exit 1).
  virtual int execute(const Invocation& invocation) = 0;
  // What is left when the command is stopped by a signal, for the message.
  virtual std::string stopped_note() const { return "no output written"; }
  bool chosen() const { return app_ != nullptr && app_->parsed(); }

 protected:
  CLI::App* app_ = nullptr;
};

std::unique_ptr<Command> add_run_command(CLI::App& app);
std::unique_ptr<Command> add_validate_command(CLI::App& app);
std::unique_ptr<Command> add_bench_command(CLI::App& app);
std::unique_ptr<Command> add_sweep_command(CLI::App& app);
std::unique_ptr<Command> add_calibrate_command(CLI::App& app);

// A scenario file and its --set overrides.
struct ScenarioArgs {
  std::string scenario;
  std::vector<std::string> overrides;
};
void add_scenario_args(CLI::App& command, ScenarioArgs& args);
// Reads and compiles the scenario; appends to `input_files`, when given, every
// file it was read from (the scenario and what it extends).
// With `warnings`, also collects the scenario's warnings (model/warnings.hpp).
Model load_model(const ScenarioArgs& args, std::vector<std::string>* input_files = nullptr,
                 std::vector<ScenarioWarning>* warnings = nullptr);

// Prints each warning to standard error as "migrasim: warning: file:line:col: key: message".
void print_warnings(const std::vector<ScenarioWarning>& warnings);

// Refuses (exit 2) an output that names one of the inputs, by any path or link.
void refuse_output_over_inputs(const std::string& output,
                               const std::vector<std::string>& input_files);

// Refuses up front what would run out of memory halfway; `processes` share the machine.
void refuse_if_too_large(const Model& model, const std::string& file, int processes = 1);

// --threads beyond the machine's cores only slows a run down.
int capped_threads(int threads);

// SIGINT, SIGTERM, SIGHUP and the other catchable signals that would end the
// process stop a run between steps (engine/simulation.hpp).
void stop_on_signals();

}  // namespace migrasim::cli
