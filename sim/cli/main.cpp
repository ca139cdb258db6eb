// The migrasim command line: run, validate, bench, sweep, calibrate and --version; one
// file per subcommand in cli/commands/.
// Exit codes: 0 success; 2 bad usage or bad input; 1 any other failure (for
// sweep: also when members failed); 128 + N stopped by signal N.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands/command.hpp"
#include "engine/simulation.hpp"
#include "util/errors.hpp"
#include "util/version.hpp"

namespace {

using migrasim::cli::Command;

std::string quote_for_shell(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n'\"\\$`*?[]{}()<>|&;#~") == std::string::npos)
    return arg;
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string command_line_of(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + quote_for_shell(argv[i]);
  return line;
}

int run_cli(int argc, char** argv, const migrasim::cli::Mpi* mpi) {
  CLI::App app{
      "migrasim: agent-based simulation of irregular migration along a multi-country "
      "corridor, and of the policies that act on it."};
  app.set_version_flag("--version", std::string("migrasim ") + migrasim::kVersion);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 success; 2 bad usage or bad input (the message names file:line:column and "
      "the key); 1 any other failure (for sweep: also when members failed); 130/143 stopped by "
      "SIGINT/SIGTERM "
      "(run: nothing written; sweep, calibrate: finished members or generations kept in "
      "OUTPUT.partial for --resume).\nSee "
      "README.md and "
      "docs/ for the scenario format and the output layout.");
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(migrasim::cli::add_run_command(app));
  commands.push_back(migrasim::cli::add_validate_command(app));
  commands.push_back(migrasim::cli::add_bench_command(app));
  const Command* sweep = commands.emplace_back(migrasim::cli::add_sweep_command(app)).get();
  const Command* calibrate = commands.emplace_back(migrasim::cli::add_calibrate_command(app)).get();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  const migrasim::cli::Invocation invocation{command_line_of(argc, argv), mpi};
  Command* chosen = nullptr;
  for (const auto& command : commands) {
    if (command->chosen()) chosen = command.get();
  }
  try {
    if (mpi != nullptr && mpi->size() > 1 && chosen != sweep && chosen != calibrate) {
      throw migrasim::InputError(
          "only `migrasim sweep` and `migrasim calibrate` run under mpirun; run the other "
          "commands directly");
    }
    if (chosen != nullptr) return chosen->execute(invocation);
#ifdef MIGRASIM_HAVE_MPI
  } catch (const migrasim::PeerFailed& peer) {
    return peer.code;  // rank 0 has said why
#endif
  } catch (const migrasim::Interrupted& stop) {
    if (invocation.lead())
      std::cerr << "migrasim: stopped by signal " << stop.signal << "; " << chosen->stopped_note()
                << "\n";
    return 128 + stop.signal;
  } catch (const migrasim::InputError& e) {
    if (invocation.lead()) std::cerr << "migrasim: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    if (invocation.lead()) std::cerr << "migrasim: error: " << e.what() << "\n";
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
