// A golden run: a short fixed-seed slice of the shipped baseline must give
// exactly these totals (sums of flows, end values of stocks), keyed by series
// name. A change to any mechanism, random stream or default shows up here
// first. When a change is intended, rerun with MIGRASIM_PRINT_GOLDEN=1, check
// the new figures make sense, and paste them in; a new series needs its row.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "engine/simulation.hpp"
#include "model/model.hpp"

namespace migrasim {
namespace {

TEST(Regression, ShortBaselineRunIsPinned) {
  const Model m = compile(load_scenario(MIGRASIM_SOURCE_DIR "/scenarios/baseline.yaml",
                                        {"population.agents=30000", "time.end=2023-03-31",
                                         "information.initial_route_awareness=0.05"}));
  State s = make_state(m);
  run_replicate(m, 0, s);
  const auto steps = static_cast<std::size_t>(m.steps);
  std::map<std::string, double> totals;
  for (std::size_t k = 0; k < kSeriesCount; ++k) {
    totals[series_info(k).name] =
        series_info(k).over_period({s.recording.scalar.data() + k * steps, steps});
  }
  if (std::getenv("MIGRASIM_PRINT_GOLDEN")) {
    for (std::size_t k = 0; k < kSeriesCount; ++k) {
      std::printf("      {\"%s\", %.17g},\n", series_info(k).name, totals[series_info(k).name]);
    }
  }
  const std::map<std::string, double> golden = {
      {"new_aspirants", 6260},
      {"departures", 6260},
      {"border_encounters", 5400},
      {"apprehensions", 5600},
      {"evaded", 3040},
      {"deaths", 0},
      {"returned", 760},
      {"asylum_claims", 4840},
      {"asylum_granted", 540},
      {"removed", 920},
      {"denied_not_removed", 0},
      {"removal_cost_usd", 0},
      {"gave_up", 0},
      {"legal_pathway_entries", 0},
      {"smuggled_departures", 4940},
      {"coerced_arrivals", 580},
      {"falsified_docs_detected", 340},
      {"high_risk_detected", 0},
      {"high_risk_missed", 0},
      {"false_positives", 0},
      {"smuggler_revenue_usd", 67423398.411985561},
      {"intervention_cost_usd", 0},
      {"sent_back", 0},
      {"reattempts", 0},
      {"stranded", 0},
      {"at_home", 593740},
      {"in_transit", 460},
      {"waiting_for_smuggler", 20},
      {"held_at_checkpoints", 0},
      {"asylum_backlog", 3380},
      {"detained", 0},
      {"smuggler_capacity", 48.47707630655318},
      {"mean_smuggling_fee_usd", 16666.275673892374},
      {"mean_route_awareness", 0.58583333333333332},
      {"mean_perceived_danger", 0.018559193062402869},
  };
  for (const auto& [name, value] : totals) {
    const auto expected = golden.find(name);
    if (expected == golden.end()) {
      ADD_FAILURE() << "series " << name << " has no golden value";
      continue;
    }
    EXPECT_EQ(value, expected->second) << name;
  }
  for (const auto& [name, value] : golden) {
    EXPECT_TRUE(totals.count(name)) << "golden value for " << name << ", which is not a series";
  }
}

}  // namespace
}  // namespace migrasim
