// migrasim sweep SWEEP -o OUTPUT: every member of a parameter sweep into one
// file, also under mpirun (sweep/sweep.hpp, sweep/sweep_mpi.hpp).
#include "sweep/sweep.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <new>

#include "calibrate/posterior_run.hpp"
#include "cli/commands/command.hpp"
#include "util/errors.hpp"
#include "util/quoting.hpp"

namespace migrasim::cli {
namespace {

class SweepCommand final : public Command {
 public:
  explicit SweepCommand(CLI::App& app) {
    app_ = app.add_subcommand(
        "sweep",
        "Run every member of a parameter sweep (grid, Latin hypercube or Sobol) into one file; "
        "also under mpirun, members shared among the ranks");
    app_->add_option("sweep", file_, "Sweep file (YAML); see docs/sweeps.md")->required();
    app_->add_option(
            "-o,--output", output_,
            "Output file (.h5); written as OUTPUT.partial, renamed when every member has run")
        ->required();
    app_->add_option("--threads", threads_,
                     "OpenMP threads per process (default: the cores, shared among the MPI ranks "
                     "on a node); "
                     "results do not depend on it")
        ->check(CLI::Range(1, 1024));
    app_->add_option("--parallel", parallel_,
                     "How a process's threads share the members: 'runs' (members side by side, "
                     "one per thread), 'agents' (one member at a time, its agents split across "
                     "threads) or 'auto' (default: side by side below 250,000 agents per thread); "
                     "results do not depend on it")
        ->check(CLI::IsMember({"auto", "agents", "runs"}));
    app_->add_flag("--resume", resume_,
                   "Continue from OUTPUT.partial, left by a stopped run of the same sweep");
    app_->add_flag(
        "--force", force_,
        "Overwrite OUTPUT, and start over instead of resuming OUTPUT.partial (either only if a "
        "regular file)");
    app_->add_flag("--quiet", quiet_, "No progress and no summary");
    app_->add_flag("--check", check_,
                   "Verify model invariants as `run --check` does (every agent every step)");
    app_->add_flag("--check-stages", check_stages_,
                   "Verify every invariant after every stage (much slower than --check)");
    app_->add_option("--posterior", posterior_,
                     "Posterior file of migrasim calibrate: each replicate of each member runs "
                     "with a particle of its final generation, drawn by weight from (member seed, "
                     "replicate) as run --posterior draws it; the file records the particles");
  }

  int execute(const Invocation& invocation) override {
    const Sweep plan = read_sweep();
    std::vector<std::string> inputs = plan.input_files();
    if (!posterior_.empty()) inputs.push_back(posterior_);
    refuse_output_over_inputs(output_, inputs);
    refuse_output_over_inputs(SweepFile::partial_path(output_).string(), inputs);
    const Mpi* mpi = invocation.mpi;
    const int processes = mpi != nullptr ? mpi->ranks_on_node() : 1;
    refuse_if_too_large(plan.reference(), plan.spec().scenario_path, processes);
    // Ranks that share a node split its cores, unless the launcher already
    // bound each rank to its own (then OpenMP sees only those).
    const auto online = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
    int threads = threads_;
    if (threads == 0 && processes > 1 && omp_get_num_procs() >= online)
      threads = std::max(1, online / processes);
    stop_on_signals();

    SweepOptions options;
    options.threads = capped_threads(threads);
    options.parallelism = *parse_parallelism(parallel_);
    options.overwrite = force_;
    options.resume = resume_;
    options.quiet = quiet_ || !invocation.lead();
    options.progress = !options.quiet && isatty(STDERR_FILENO);
    options.check_invariants = check_stages_ ? InvariantChecks::kEveryStage
                               : check_      ? InvariantChecks::kEveryStep
                                             : InvariantChecks::kOff;
    options.command_line = invocation.command_line;
#ifdef MIGRASIM_HAVE_MPI
    const SweepSummary summary = mpi != nullptr && mpi->size() > 1
                                     ? run_sweep_mpi(*mpi, plan, output_, options)
                                     : run_sweep(plan, output_, options);
#else
    const SweepSummary summary = run_sweep(plan, output_, options);
#endif
    if (!invocation.lead()) return 0;
    if (!options.quiet) std::cout << format_sweep_summary(plan, summary, output_);
    if (!summary.failures.empty()) {
      std::cerr << "migrasim: " << summary.failures.size() << " of " << summary.members
                << " members failed (listed above; member_status = 2 in the file)\n";
      return 1;
    }
    return 0;
  }

  std::string stopped_note() const override {
    return "finished members are kept in " + SweepFile::partial_path(output_).string() +
           "; run the same command with --resume to continue";
  }

 private:
  // The sweep, its scenario and the posterior; running out of memory while
  // reading them is bad input (a huge file under a memory limit), exit 2.
  Sweep read_sweep() const {
    try {
      if (posterior_.empty()) return Sweep(load_sweep(file_));
      SweepSpec spec = load_sweep(file_);
      return Sweep(std::move(spec), replicate_parameters(read_posterior(posterior_)));
    } catch (const std::bad_alloc&) {
      throw InputError(excerpt(file_, 4096) + ": out of memory while reading the sweep");
    }
  }

  std::string file_;
  std::string output_;
  std::string posterior_;
  int threads_ = 0;
  std::string parallel_ = "auto";
  bool quiet_ = false;
  bool check_ = false;
  bool check_stages_ = false;
  bool force_ = false;
  bool resume_ = false;
};

}  // namespace

std::unique_ptr<Command> add_sweep_command(CLI::App& app) {
  return std::make_unique<SweepCommand>(app);
}

}  // namespace migrasim::cli
