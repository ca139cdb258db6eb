// migrasim run SCENARIO -o OUTPUT: runs every replicate of a scenario into one
// HDF5/netCDF-4 file (output/run.hpp).
#include "output/run.hpp"

#include <unistd.h>

#include <cstdint>
#include <iostream>
#include <optional>

#include "calibrate/posterior_run.hpp"
#include "cli/commands/command.hpp"

namespace migrasim::cli {
namespace {

class Run final : public Command {
 public:
  explicit Run(CLI::App& app) {
    app_ = app.add_subcommand("run", "Run a scenario and write its HDF5/netCDF-4 output");
    add_scenario_args(*app_, args_);
    app_->add_option("-o,--output", output_,
                     "Output file (.h5); written under a temporary name, then renamed")
        ->required();
    app_->add_option("--replicates", replicates_,
                     "Number of replicates (default: the scenario's run.replicates)")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000}));
    app_->add_option("--seed", seed_, "Random seed (default: the scenario's run.seed)")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 53));
    app_->add_option("--threads", threads_,
                     "OpenMP threads (default: all cores); a replicate split across them runs "
                     "each step on all or on one, whichever its timing finds faster; results do "
                     "not depend on it")
        ->check(CLI::Range(1, 1024));
    app_->add_option("--parallel", parallel_,
                     "How threads share a run of several replicates: 'runs' (replicates side by "
                     "side, one per thread), 'agents' (one replicate at a time, its agents split "
                     "across threads) or 'auto' (default: side by side below 250,000 agents per "
                     "thread); results do not depend on it")
        ->check(CLI::IsMember({"auto", "agents", "runs"}));
    app_->add_flag("--quiet", quiet_, "No progress line and no summary");
    app_->add_flag("--check", check_,
                   "Verify model invariants: every agent at the end of every step, the rest after "
                   "every stage; a violation is traced to its stage (docs/reliability.md)");
    app_->add_flag("--check-stages", check_stages_,
                   "Verify every invariant after every stage (much slower than --check)");
    app_->add_flag("--force", force_,
                   "Overwrite the output file if it exists (only a regular file)");
    app_->add_option("--posterior", posterior_,
                     "Posterior file of migrasim calibrate: each replicate runs with a particle of "
                     "its final generation, drawn by weight from (seed, replicate)");
  }

  int execute(const Invocation& invocation) override {
    std::vector<std::string> inputs;
    std::vector<ScenarioWarning> warnings;
    Model m = load_model(args_, &inputs, &warnings);
    if (!quiet_) print_warnings(warnings);
    if (!posterior_.empty()) inputs.push_back(posterior_);
    refuse_output_over_inputs(output_, inputs);
    if (seed_ >= 0) m.seed = static_cast<std::uint64_t>(seed_);
    if (replicates_ > 0) m.replicates = static_cast<std::uint32_t>(replicates_);
    refuse_if_too_large(m, args_.scenario);
    stop_on_signals();

    RunOptions options;
    options.threads = capped_threads(threads_);
    options.parallelism = *parse_parallelism(parallel_);
    options.check_invariants = check_stages_ ? InvariantChecks::kEveryStage
                               : check_      ? InvariantChecks::kEveryStep
                                             : InvariantChecks::kOff;
    options.overwrite = force_;
    options.progress = !quiet_ && isatty(STDERR_FILENO);
    options.command_line = invocation.command_line;
    std::optional<Posterior> posterior;
    if (!posterior_.empty()) {
      posterior.emplace(read_posterior(posterior_));
      run_over_posterior(options, *posterior, m, args_.scenario, args_.overrides);
    }
    const RunSummary summary = run_scenario(m, output_, options);
    if (!quiet_) std::cout << format_summary(m, summary) << "wrote " << output_ << "\n";
    return 0;
  }

 private:
  ScenarioArgs args_;
  std::string output_;
  std::string posterior_;
  std::string parallel_ = "auto";
  std::int64_t replicates_ = 0;
  std::int64_t seed_ = -1;
  int threads_ = 0;
  bool quiet_ = false;
  bool check_ = false;
  bool check_stages_ = false;
  bool force_ = false;
};

}  // namespace

std::unique_ptr<Command> add_run_command(CLI::App& app) { return std::make_unique<Run>(app); }

}  // namespace migrasim::cli
