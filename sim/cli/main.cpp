// The migrasim command line: run, validate, bench, sweep, calibrate and --version; one
// file per subcommand in cli/commands/.
// Exit codes: 0 success; 2 bad usage or bad input; 1 any other failure (for
// sweep: also when members failed); 128 + N stopped by signal N.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "cli/commands/command.hpp"
#include "cli/openmp_wait.hpp"
#include "engine/simulation.hpp"
#include "util/errors.hpp"
#include "util/quoting.hpp"
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

// Flushes what was printed; false (after saying why) if it could not be written.
bool flush_standard_output() {
  std::cout.flush();
  if (std::fflush(stdout) == 0 && !std::ferror(stdout) && std::cout.good()) return true;
  const int err = errno;
  std::cerr << "migrasim: error: cannot write to standard output"
            << (err != 0 ? ": " + std::generic_category().message(err) : std::string()) << "\n";
  return false;
}

const char* signal_name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    case SIGQUIT:
      return "SIGQUIT";
    case SIGUSR1:
      return "SIGUSR1";
    case SIGUSR2:
      return "SIGUSR2";
    case SIGALRM:
      return "SIGALRM";
    case SIGXCPU:
      return "SIGXCPU";
    case SIGVTALRM:
      return "SIGVTALRM";
    default:
      return "a signal";
  }
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
      "the key); 1 any other failure (for sweep: also when members failed); 128+N stopped by "
      "signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP; also SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, "
      "SIGXCPU, SIGVTALRM) "
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
    if (chosen != nullptr) {
      const int code = chosen->execute(invocation);
      // `validate > /dev/full` must not report success: what it printed was lost.
      if (!flush_standard_output()) return 1;
      return code;
    }
#ifdef MIGRASIM_HAVE_MPI
  } catch (const migrasim::PeerFailed& peer) {
    return peer.code;  // rank 0 has said why
#endif
  } catch (const migrasim::Interrupted& stop) {
    if (invocation.lead())
      std::cerr << "migrasim: stopped by signal " << stop.signal << " (" << signal_name(stop.signal)
                << "); " << chosen->stopped_note() << "\n";
    return 128 + stop.signal;
  } catch (const migrasim::InputError& e) {
    if (invocation.lead()) std::cerr << "migrasim: error: " << migrasim::one_line(e.what()) << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    if (invocation.lead()) std::cerr << "migrasim: error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    if (invocation.lead()) std::cerr << "migrasim: error: " << migrasim::one_line(e.what()) << "\n";
    return 1;
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  migrasim::restart_with_sleeping_openmp_threads(argv);
  // A closed pipe on stdout is then a write error, reported as one, rather
  // than death without a word.
  std::signal(SIGPIPE, SIG_IGN);
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
