// migrasim calibrate and run --posterior end to end on the tiny scenario: the
// same posterior for any thread or rank count and after a stop and resume; bad
// files refused with file:line:column and nothing written; posterior runs
// recording their particles, the same ones for the same seed.
#include <gtest/gtest.h>

#include <cstring>

#include "cli_support.hpp"

namespace migrasim::testing {
namespace {

std::string tiny_calibration(int generations = 3) {
  return "name: tiny_cal\nscenario: " + (kSourceDir / "tests/data/tiny.yaml").string() +
         "\nseed: 2\npopulation: 30\n"
         "stop: {max_generations: " +
         std::to_string(generations) +
         ", max_simulations: 5000, final_tolerance: 0.5, min_acceptance_rate: 0.02}\n"
         "parameters:\n"
         "  - {name: base_rate, key: decisions.base_rate_per_day, prior: log_uniform,\n"
         "     range: [5.0e-5, 8.0e-4], units: per day}\n"
         "  - {name: detection, key: checkpoints.border_patrol.detection_probability,\n"
         "     prior: beta, alpha: 2, beta: 2, range: [0.5, 1.0]}\n"
         "targets:\n"
         "  - {name: encounters, series: border_encounters,\n"
         "     window: {from: 2022-04-01, to: 2022-04-29}, observed: 1640, error: {relative_sd: "
         "0.1}}\n"
         "  - {name: haven, series: node_arrivals, at: {node: haven},\n"
         "     window: {from: 2022-04-01, to: 2022-04-29}, observed: 200, error: {sd: 20}}\n";
}

void expect_same_data(const fs::path& a, const fs::path& b) {
  const auto left = read_numeric_datasets(a), right = read_numeric_datasets(b);
  ASSERT_EQ(left.size(), right.size());
  for (const auto& [name, values] : left) {
    ASSERT_TRUE(right.count(name)) << name;
    const auto& other = right.at(name);
    ASSERT_EQ(values.size(), other.size()) << name;
    EXPECT_EQ(std::memcmp(values.data(), other.data(), values.size() * sizeof(double)), 0) << name;
  }
}

TEST(CliCalibrate, SameBitsForOneAndTwoThreads) {
  const TempDir dir;
  write_text(dir / "c.yaml", tiny_calibration());
  for (const char* threads : {"1", "2"}) {
    const Result r = run_migrasim(
        {"calibrate", "c.yaml", "-o", std::string("t") + threads + ".h5", "--threads", threads},
        dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("3 generation(s) of 30 particles"), std::string::npos) << r.out;
  }
  expect_same_data(dir / "t1.h5", dir / "t2.h5");
  const auto data = read_numeric_datasets(dir / "t1.h5");
  EXPECT_EQ(data.at("tolerance").size(), 3u);
  EXPECT_EQ(data.at("weight").size(), 90u);
  EXPECT_EQ(directory_listing(dir.path()), (std::vector<std::string>{"c.yaml", "t1.h5", "t2.h5"}));
  // A finished posterior is not overwritten without --force.
  const Result again =
      run_migrasim({"calibrate", "c.yaml", "-o", "t1.h5", "--threads", "1"}, dir.path());
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
}

TEST(CliCalibrate, BadTargetsExitTwoWithPositionAndWriteNothing) {
  const TempDir dir;
  const std::string good = tiny_calibration();
  struct Case {
    std::string from, to, where, message;
  };
  const std::vector<Case> cases{
      {"{node: haven}", "{node: nowhere}",
       "c.yaml:14:", "targets[1].at.node: the scenario has no node 'nowhere'"},
      {"series: border_encounters", "series: nothing",
       "c.yaml:12:", "targets[0].series: unknown series 'nothing'"},
      {"{from: 2022-04-01, to: 2022-04-29}, observed: 1640", "{month: 2022-04}, observed: 1640",
       "c.yaml:13:", "targets[0].window: the window 2022-04"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::string text = good;
    text.replace(text.find(cases[i].from), cases[i].from.size(), cases[i].to);
    write_text(dir / "c.yaml", text);
    const Result r = run_migrasim({"calibrate", "c.yaml", "-o", "o.h5"}, dir.path());
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err.rfind("migrasim: error: " + cases[i].where, 0), 0u) << r.err;
    EXPECT_NE(r.err.find(cases[i].message), std::string::npos) << r.err;
    EXPECT_EQ(directory_listing(dir.path()), std::vector<std::string>{"c.yaml"});
  }
}

// Stopped by SIGTERM after its first generation, resumed: the same posterior.
TEST(CliCalibrate, ResumeAfterStopEqualsStraightThrough) {
  const TempDir dir;
  write_text(dir / "c.yaml", tiny_calibration(4));
  ASSERT_EQ(run_migrasim({"calibrate", "c.yaml", "-o", "straight.h5", "--threads", "1", "--quiet"},
                         dir.path())
                .exit_code,
            0);
  const std::string script = shell_quote(kBinary.string()) +
                             " calibrate c.yaml -o o.h5 --threads 1 --quiet & p=$!; "
                             "while [ ! -e o.h5.partial ] && kill -0 $p 2>/dev/null; do sleep "
                             "0.005; done; kill -TERM $p; wait $p; exit $?";
  const Result stopped = run_command("bash", {"-c", script}, dir.path());
  if (fs::exists(dir / "o.h5")) GTEST_SKIP() << "finished before the signal";
  EXPECT_EQ(stopped.exit_code, 143) << stopped.err;
  ASSERT_TRUE(fs::exists(dir / "o.h5.partial"));
  const Result without = run_migrasim({"calibrate", "c.yaml", "-o", "o.h5"}, dir.path());
  EXPECT_EQ(without.exit_code, 1);
  EXPECT_NE(without.err.find("--resume"), std::string::npos) << without.err;
  const Result resumed =
      run_migrasim({"calibrate", "c.yaml", "-o", "o.h5", "--resume", "--threads", "2"}, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("resumed"), std::string::npos) << resumed.out;
  EXPECT_FALSE(fs::exists(dir / "o.h5.partial"));
  expect_same_data(dir / "straight.h5", dir / "o.h5");
}

TEST(CliCalibrate, PosteriorRunsRecordTheirParticlesPairedBySeed) {
  const TempDir dir;
  write_text(dir / "c.yaml", tiny_calibration(2));
  ASSERT_EQ(
      run_migrasim({"calibrate", "c.yaml", "-o", "p.h5", "--threads", "1", "--quiet"}, dir.path())
          .exit_code,
      0);
  const std::string scenario = (kSourceDir / "tests/data/tiny.yaml").string();
  const Result a = run_migrasim({"run", scenario, "--posterior", "p.h5", "--replicates", "4",
                                 "--seed", "9", "--quiet", "-o", "a.h5"},
                                dir.path());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const Result b =
      run_migrasim({"run", scenario, "--posterior", "p.h5", "--replicates", "4", "--seed", "9",
                    "--set", "asylum.capacity_per_day=5", "--quiet", "-o", "b.h5"},
                   dir.path());
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const auto da = read_numeric_datasets(dir / "a.h5"), db = read_numeric_datasets(dir / "b.h5");
  EXPECT_EQ(da.at("particle"), db.at("particle"));
  EXPECT_EQ(da.at("parameter_value"), db.at("parameter_value"));
  ASSERT_EQ(da.at("parameter_value").size(), 8u);
  // The values are those of the particles in the posterior's final generation.
  const auto posterior = read_numeric_datasets(dir / "p.h5");
  for (std::size_t r = 0; r < 4; ++r) {
    const auto particle = static_cast<std::size_t>(da.at("particle")[r]);
    EXPECT_EQ(da.at("parameter_value")[2 * r], posterior.at("base_rate")[30 + particle]);
    EXPECT_EQ(da.at("parameter_value")[2 * r + 1], posterior.at("detection")[30 + particle]);
  }
  const Result bad =
      run_migrasim({"run", scenario, "--posterior", "c.yaml", "-o", "x.h5"}, dir.path());
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

#ifdef MIGRASIM_MPIEXEC
TEST(CliCalibrateMpi, SameBitsForOneAndTwoRanks) {
  const TempDir dir;
  write_text(dir / "c.yaml", tiny_calibration());
  ASSERT_EQ(run_migrasim({"calibrate", "c.yaml", "-o", "serial.h5", "--threads", "1", "--quiet"},
                         dir.path())
                .exit_code,
            0);
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 1);
  const Result r = run_command(MIGRASIM_MPIEXEC,
                               {"-np", "2", kBinary.string(), "calibrate", "c.yaml", "-o", "mpi.h5",
                                "--threads", "1", "--quiet"},
                               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_same_data(dir / "serial.h5", dir / "mpi.h5");
}
#endif

}  // namespace
}  // namespace migrasim::testing
