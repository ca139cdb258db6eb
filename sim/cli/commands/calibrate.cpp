// migrasim calibrate CALIBRATION -o POSTERIOR: ABC-SMC calibration of a
// scenario's parameters against observed figures, also under mpirun
// (calibrate/calibrate_run.hpp, calibrate/calibration_mpi.hpp).
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <iostream>

#include "calibrate/calibrate_run.hpp"
#include "cli/commands/command.hpp"
#include "util/errors.hpp"
#ifdef MIGRASIM_HAVE_MPI
#include "calibrate/calibration_mpi.hpp"
#endif

namespace migrasim::cli {
namespace {

class CalibrateCommand final : public Command {
 public:
  explicit CalibrateCommand(CLI::App& app) {
    app_ = app.add_subcommand(
        "calibrate",
        "Calibrate a scenario's parameters against observed figures by approximate Bayesian "
        "computation (ABC-SMC) and write the posterior; also under mpirun, particles shared "
        "among the ranks");
    app_->add_option("calibration", file_, "Calibration file (YAML); see docs/calibration.md")
        ->required();
    app_->add_option("-o,--output", output_,
                     "Posterior file (.h5); OUTPUT.partial holds the finished generations until "
                     "the calibration stops")
        ->required();
    app_->add_option("--threads", threads_,
                     "OpenMP threads per process (default: the cores, shared among the MPI ranks "
                     "on a node); results do not depend on it")
        ->check(CLI::Range(1, 1024));
    app_->add_flag("--resume", resume_,
                   "Continue from OUTPUT.partial, left by a stopped run of the same calibration");
    app_->add_flag("--force", force_,
                   "Overwrite OUTPUT, and start over instead of resuming OUTPUT.partial");
    app_->add_option("--parallel", parallel_,
                     "How a process's threads share a generation's particles: 'runs' (side by "
                     "side, one per thread), 'agents' (one at a time, its agents split across "
                     "threads) or 'auto' (default: side by side below 250,000 agents per thread); "
                     "results do not depend on it")
        ->check(CLI::IsMember({"auto", "agents", "runs"}));
    app_->add_flag("--quiet", quiet_, "No progress and no summary");
  }

  int execute(const Invocation& invocation) override {
    const Calibration calibration(load_calibration(file_));
    const Mpi* mpi = invocation.mpi;
    const int processes = mpi != nullptr ? mpi->ranks_on_node() : 1;
    refuse_if_too_large(calibration.reference(), calibration.spec().scenario_path, processes);
    const auto online = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
    int threads = threads_;
    if (threads == 0 && processes > 1 && omp_get_num_procs() >= online)
      threads = std::max(1, online / processes);
    stop_on_signals();

    CalibrateOptions options;
    options.threads = capped_threads(threads);
    options.parallelism = *parse_parallelism(parallel_);
    options.overwrite = force_;
    options.resume = resume_;
    options.quiet = quiet_ || !invocation.lead();
    options.command_line = invocation.command_line;
#ifdef MIGRASIM_HAVE_MPI
    if (mpi != nullptr && mpi->size() > 1) {
      run_calibration_mpi(*mpi, calibration, output_, options);
      return 0;
    }
#endif
    const bool resume = prepare_calibration_output(output_, options);
    run_calibration(calibration, output_, options, local_executor(calibration, options.parallelism),
                    true, resume);
    return 0;
  }

  std::string stopped_note() const override {
    return "finished generations are kept in " + calibration_partial_path(output_).string() +
           "; run the same command with --resume to continue";
  }

 private:
  std::string file_;
  std::string parallel_ = "auto";
  std::string output_;
  int threads_ = 0;
  bool quiet_ = false;
  bool force_ = false;
  bool resume_ = false;
};

}  // namespace

std::unique_ptr<Command> add_calibrate_command(CLI::App& app) {
  return std::make_unique<CalibrateCommand>(app);
}

}  // namespace migrasim::cli
