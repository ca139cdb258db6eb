// migrasim bench: the full model on a scenario scaled to N agents, timed per
// stage, against the machine's limits measured in the same run (cli/bench.hpp).
#include "cli/bench.hpp"

#include <cstdint>
#include <iostream>

#include "cli/commands/command.hpp"
#include "util/errors.hpp"

namespace migrasim::cli {
namespace {

class Bench final : public Command {
 public:
  explicit Bench(CLI::App& app) {
    app_ = app.add_subcommand(
        "bench",
        "Measure the speed of the full model on a scenario scaled to N agents (no output written), "
        "against the machine's memory bandwidth and random-draw rate measured in the same run");
    app_->add_option("--scenario", options_.scenario,
                     "Scenario file (default: scenarios/baseline.yaml)");
    app_->add_option("--set", options_.overrides, "Override a value of the scenario (repeatable)")
        ->type_name("KEY.PATH=VALUE");
    app_->add_option("--agents", options_.agents,
                     "Agents; the scenario's persons are kept, spread over them (default: 1000000)")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 31));
    app_->add_option("--steps", options_.steps, "Timed steps (default: 100)")
        ->check(CLI::Range(1, 1 << 30));
    app_->add_option("--warmup-steps", options_.warmup_steps,
                     "Untimed steps run first (default: half the scenario's steps, so the timed "
                     "steps see the "
                     "mix of a run in full flow; fewer if the timed steps would not fit)")
        ->check(CLI::Range(0, 1 << 30));
    app_->add_option("--threads", options_.threads, "OpenMP threads (default: all cores)")
        ->check(CLI::Range(1, 1024));
    app_->add_option("--posterior", options_.posterior,
                     "Posterior file of migrasim calibrate: run with the particle that run "
                     "--posterior draws for replicate 0 of the scenario's seed");
    app_->add_flag("--json", json_, "Print one JSON object instead of the table");
    app_->add_flag("--no-limits", no_limits_,
                   "Skip measuring the machine's bandwidth and draw rate");
  }

  int execute(const Invocation&) override {
    if (options_.scenario.empty()) options_.scenario = find_baseline_scenario();
    if (options_.scenario.empty()) {
      throw InputError("scenarios/baseline.yaml not found; name a scenario with --scenario");
    }
    options_.threads = capped_threads(options_.threads);
    options_.machine_limits = !no_limits_;
    const BenchReport report = run_bench(options_);
    std::cout << (json_ ? format_bench_json(report) : format_bench_text(report));
    return 0;
  }

 private:
  BenchOptions options_;
  bool json_ = false;
  bool no_limits_ = false;
};

}  // namespace

std::unique_ptr<Command> add_bench_command(CLI::App& app) { return std::make_unique<Bench>(app); }

}  // namespace migrasim::cli
