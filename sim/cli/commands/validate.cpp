// migrasim validate SCENARIO [--set KEY=VALUE ...]: reads and compiles a
// scenario, and says what it holds.
#include <cstdio>

#include "cli/commands/command.hpp"

namespace migrasim::cli {
namespace {

class Validate final : public Command {
 public:
  explicit Validate(CLI::App& app) {
    app_ = app.add_subcommand("validate", "Check a scenario file without running it");
    add_scenario_args(*app_, args_);
  }

  int execute(const Invocation&) override {
    std::vector<ScenarioWarning> warnings;
    const Model m = load_model(args_, nullptr, &warnings);
    // Legal settings that look like mistakes: said, never refused.
    print_warnings(warnings);
    std::printf(
        "%s: OK (%zu regions, %zu nodes, %zu edges, %zu checkpoints; %d steps of %g days; %u "
        "agents)\n",
        args_.scenario.c_str(), m.region_count(), m.node_count(), m.edge_count(),
        m.checkpoint_count(), m.steps, m.step_days, m.agents);
    if (!warnings.empty()) std::printf("%zu warning(s) on standard error\n", warnings.size());
    return 0;
  }

 private:
  ScenarioArgs args_;
};

}  // namespace

std::unique_ptr<Command> add_validate_command(CLI::App& app) {
  return std::make_unique<Validate>(app);
}

}  // namespace migrasim::cli
