// The migration model as an ABC simulator: shipped calibration files accepted
// by their scenarios, targets read off a run as the calibration file says,
// and the distance scaled by the measurement error.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "calibrate/calibration.hpp"
#include "engine/simulation.hpp"
#include "engine/state.hpp"
#include "model/series.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

namespace fs = std::filesystem;

TEST(Calibration, ShippedCalibrationFilesAreAccepted) {
  int files = 0;
  for (const auto& entry :
       fs::directory_iterator(fs::path(MIGRASIM_SOURCE_DIR) / "scenarios" / "calibration")) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    EXPECT_NO_THROW(Calibration(load_calibration(entry.path().string())));
    ++files;
  }
  EXPECT_GE(files, 1);
}

std::string tiny_calibration(const std::string& observed) {
  return "scenario: " MIGRASIM_SOURCE_DIR
         "/tests/data/tiny.yaml\nseed: 1\npopulation: 10\n"
         "stop: {max_generations: 2}\n"
         "parameters:\n"
         "  - {name: b, key: decisions.base_rate_per_day, prior: uniform, range: [1.0e-4, "
         "3.0e-4]}\n"
         "targets:\n"
         "  - {name: e, series: border_encounters, window: {from: 2022-04-01, to: 2022-04-29},\n"
         "     observed: " +
         observed +
         ", error: {sd: 10}}\n"
         "  - {name: h, series: node_arrivals, at: {node: haven}, window: {month: 2022-03},\n"
         "     observed: 100, error: {sd: 5, relative_sd: 0.05}}\n";
}

TEST(Calibration, DistanceIsResidualsInMeasurementSds) {
  const Calibration c(parse_calibration(tiny_calibration("{low: 90, high: 110}"), "c.yaml"));
  // Inside the range: 0; the second target 20 over with sd 5 + 0.05 * 100 = 10.
  EXPECT_DOUBLE_EQ(c.distance(std::vector<double>{95.0, 120.0}), 2.0);
  // 30 below the range's low end (sd 10) and 10 under 100 (sd 10): sqrt(9 + 1).
  EXPECT_DOUBLE_EQ(c.distance(std::vector<double>{60.0, 90.0}), std::sqrt(10.0));
  EXPECT_TRUE(std::isnan(c.distance(std::vector<double>{NAN, 90.0})));
}

TEST(Calibration, RefusesASumOfAStock) {
  std::string text = tiny_calibration("100");
  text.replace(text.find("series: border_encounters,"), 26, "series: asylum_backlog, reduce: sum,");
  try {
    Calibration c(parse_calibration(text, "c.yaml"));
    FAIL() << "accepted a sum of a stock";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("c.yaml:8:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("is a stock"), std::string::npos) << e.what();
  }
}

TEST(Calibration, SummariesAreTheRunsSeriesOverTheWindow) {
  const Calibration c(parse_calibration(tiny_calibration("100"), "c.yaml"));
  const std::vector<double> parameters{2.0e-4};
  const SimulationKey key{7, 0, 0, 0};
  const std::vector<double> s = c.simulate(parameters, key);
  ASSERT_EQ(s.size(), 2u);
  // The same seed and values run directly give the same sums.
  Model m = c.model(parameters);
  m.seed = 7;
  State state = make_state(m);
  run_replicate(m, 0, state);
  const auto steps = static_cast<std::size_t>(m.steps);
  double encounters = 0.0, haven = 0.0;
  const std::size_t haven_index = 5, nodes = m.node_count();
  for (std::int32_t t = m.first_step_from(*parse_date("2022-04-01")); t < m.steps; ++t)
    encounters += state.recording.scalar[index(Series::kBorderEncounters) * steps + t];
  for (std::int32_t t = 0; t < m.first_step_from(*parse_date("2022-04-01")); ++t)
    haven += state.recording.axis[index(AxisSeries::kNodeArrivals)][t * nodes + haven_index];
  ASSERT_EQ(m.node_name[haven_index], "haven");
  EXPECT_EQ(s[0], encounters);
  EXPECT_EQ(s[1], haven);
  EXPECT_GT(encounters, 0.0);
  EXPECT_EQ(c.target_units(0), "persons");
  EXPECT_EQ(c.simulate(parameters, key), s);
}

}  // namespace
}  // namespace migrasim
