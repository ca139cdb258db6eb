// Reading calibration files: every key, and errors that name file:line:column.
#include <gtest/gtest.h>

#include <string>

#include "input/calibration_spec.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

const char* kGood = R"(name: c
scenario: tiny.yaml
seed: 3
replicates: 2
set: {population.agents: 500}
population: 50
quantile: 0.4
kernel: optimal_local
distance: chebyshev
stop: {max_generations: 4, max_simulations: 900, final_tolerance: 0.5, min_acceptance_rate: 0.05}
parameters:
  - {name: a, key: decisions.base_rate_per_day, prior: log_uniform, range: [1.0e-5, 1.0e-3], units: per day}
  - {name: b, key: x.y, prior: beta, alpha: 2, beta: 3, range: [0.2, 0.8]}
  - {name: c, key: x.z, prior: truncated_normal, mean: 1, sd: 2, range: [0, 4]}
  - {name: d, key: x.w, prior: normal, mean: 1, sd: 2}
targets:
  - {name: t1, series: border_encounters, window: {fiscal_year: 2023}, observed: 10, error: {relative_sd: 0.1}}
  - {name: t2, series: node_arrivals, at: {node: haven}, window: {month: 2022-02}, reduce: mean,
     observed: {low: 5, high: 7}, error: {sd: 1, relative_sd: 0.5}}
  - {name: t3, series: deaths, window: {year: 2020}, observed: 1, error: {sd: 1}}
  - {name: t4, series: deaths, window: {from: 2022-01-05, to: 2022-01-09}, observed: 1, error: {sd: 1}}
  - {name: t5, series: deaths, window: {fiscal_year: 2022, first_month: 7}, observed: 1, error: {sd: 1}}
  - {name: t6, series: deaths, window: {fiscal_year: 2022, first_month: 1}, observed: 1, error: {sd: 1}}
)";

TEST(CalibrationSpec, ReadsEveryKey) {
  const CalibrationSpec s = parse_calibration(kGood, "dir/c.yaml");
  EXPECT_EQ(s.scenario_path, "dir/tiny.yaml");
  EXPECT_EQ(s.seed, 3u);
  EXPECT_EQ(s.replicates, 2u);
  EXPECT_EQ(s.fixed_overrides, std::vector<std::string>{"population.agents=500"});
  EXPECT_EQ(s.population, 50u);
  EXPECT_EQ(s.quantile, 0.4);
  EXPECT_EQ(s.kernel, KernelKind::kOptimalLocal);
  EXPECT_EQ(s.distance, DistanceKind::kChebyshev);
  EXPECT_EQ(s.stop.max_generations, 4u);
  EXPECT_EQ(s.stop.max_simulations, 900u);
  EXPECT_EQ(s.stop.final_tolerance, 0.5);
  EXPECT_EQ(s.stop.min_acceptance_rate, 0.05);
  ASSERT_EQ(s.parameters.size(), 4u);
  EXPECT_EQ(s.parameters[0].prior.kind, PriorKind::kLogUniform);
  EXPECT_EQ(s.parameters[0].units, "per day");
  EXPECT_EQ(s.parameters[1].prior.kind, PriorKind::kBeta);
  EXPECT_EQ(s.parameters[1].prior.lower, 0.2);
  EXPECT_EQ(s.parameters[1].prior.alpha, 2.0);
  EXPECT_EQ(s.parameters[2].prior.kind, PriorKind::kTruncatedNormal);
  EXPECT_EQ(s.parameters[2].prior.upper, 4.0);
  EXPECT_EQ(s.parameters[3].prior.kind, PriorKind::kNormal);
  EXPECT_TRUE(std::isinf(s.parameters[3].prior.upper));
  ASSERT_EQ(s.targets.size(), 6u);
  EXPECT_EQ(to_string(s.targets[0].window_start), "2022-10-01");
  EXPECT_EQ(to_string(s.targets[0].window_end), "2023-09-30");
  EXPECT_EQ(s.targets[0].window_label, "FY2023");
  EXPECT_EQ(s.targets[0].error_sd(), 1.0);
  EXPECT_EQ(s.targets[1].at.kind, "node");
  EXPECT_EQ(s.targets[1].at.name, "haven");
  EXPECT_EQ(to_string(s.targets[1].window_start), "2022-02-01");
  EXPECT_EQ(to_string(s.targets[1].window_end), "2022-02-28");
  EXPECT_EQ(s.targets[1].reduction, Reduction::kMean);
  EXPECT_EQ(s.targets[1].error_sd(), 1.0 + 0.5 * 6.0);
  EXPECT_EQ(to_string(s.targets[2].window_end), "2020-12-31");
  EXPECT_EQ(to_string(s.targets[3].window_start), "2022-01-05");
  EXPECT_EQ(to_string(s.targets[4].window_start), "2021-07-01");
  EXPECT_EQ(to_string(s.targets[4].window_end), "2022-06-30");
  EXPECT_EQ(to_string(s.targets[5].window_start), "2022-01-01");
  EXPECT_EQ(to_string(s.targets[5].window_end), "2022-12-31");
}

std::string error_of(const std::string& text) {
  try {
    parse_calibration(text, "c.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) return "(pattern not found: " + from + ")";
  return text.replace(at, from.size(), to);
}

TEST(CalibrationSpec, ErrorsNameLineColumnAndKey) {
  const std::string good = kGood;
  const std::string prior = error_of(replaced(good, "prior: beta,", "prior: gamma,"));
  EXPECT_EQ(prior.rfind("c.yaml:13:", 0), 0u) << prior;
  EXPECT_NE(prior.find("parameters[1].prior: unknown prior 'gamma'"), std::string::npos) << prior;
  EXPECT_NE(error_of(replaced(good, "{month: 2022-02}", "{month: 2022-13}")).find("c.yaml:18:"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(good, "error: {sd: 1, relative_sd: 0.5}", "error: {}"))
                .find("targets[1].error: give sd"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(good, "at: {node: haven}", "at: {road: haven}"))
                .find("unknown kind of place 'road'"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(good, "window: {year: 2020}", "window: {year: 2020, month: 2020-01}"))
                .find("give exactly one of"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(good, "name: t3", "name: weight")).find("reserved name"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(good, "name: t3", "name: a")).find("used twice"), std::string::npos);
  EXPECT_NE(error_of(replaced(good, "min_acceptance_rate: 0.05", "min_acceptance_rate: 0"))
                .find("must be above 0"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(good, "quantile: 0.4", "quantile: 0.4\ntypo: 1")).find("typo"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(good, "range: [0, 4]", "range: [30, 40]")).find("0.1% of the normal"),
            std::string::npos);
}

}  // namespace
}  // namespace migrasim
