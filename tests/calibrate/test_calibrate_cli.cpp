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

// sweep --posterior and bench --posterior draw the particles run --posterior
// draws: member m of a sweep with common seeds equals a posterior run of the
// member's values with the sweep's seed, particle for particle and count for
// count.
TEST(CliPosterior, SweepAndBenchDrawTheParticlesRunDraws) {
  const TempDir dir;
  write_text(dir / "c.yaml", tiny_calibration(2));
  ASSERT_EQ(
      run_migrasim({"calibrate", "c.yaml", "-o", "p.h5", "--threads", "1", "--quiet"}, dir.path())
          .exit_code,
      0);
  const std::string scenario = (kSourceDir / "tests/data/tiny.yaml").string();
  write_text(dir / "s.yaml",
             "scenario: " + scenario +
                 "\ndesign: grid\nreplicates: 3\nseed: 9\nseeds: common\n"
                 "parameters:\n"
                 "  - {name: capacity, key: asylum.capacity_per_day, values: [5, "
                 "50]}\n"
                 "outputs:\n"
                 "  - {name: encounters, series: border_encounters, reduce: sum}\n");
  const Result sweep = run_migrasim(
      {"sweep", "s.yaml", "--posterior", "p.h5", "-o", "s.h5", "--threads", "1", "--quiet"},
      dir.path());
  ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
  const Result run =
      run_migrasim({"run", scenario, "--posterior", "p.h5", "--replicates", "3", "--seed", "9",
                    "--set", "asylum.capacity_per_day=50", "--quiet", "-o", "r.h5"},
                   dir.path());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto swept = read_numeric_datasets(dir / "s.h5");
  const auto ran = read_numeric_datasets(dir / "r.h5");
  ASSERT_EQ(swept.at("particle").size(), 6u);
  ASSERT_EQ(swept.at("parameter_value").size(), 12u);
  const std::size_t steps = ran.at("border_encounters").size() / 3;
  for (std::size_t r = 0; r < 3; ++r) {
    // Common seeds: both members draw the same particles, those of the run.
    EXPECT_EQ(swept.at("particle")[r], ran.at("particle")[r]);
    EXPECT_EQ(swept.at("particle")[3 + r], ran.at("particle")[r]);
    for (std::size_t k = 0; k < 2; ++k)
      EXPECT_EQ(swept.at("parameter_value")[6 + 2 * r + k], ran.at("parameter_value")[2 * r + k]);
    double total = 0.0;
    for (std::size_t t = 0; t < steps; ++t) total += ran.at("border_encounters")[r * steps + t];
    EXPECT_EQ(swept.at("encounters")[3 + r], total) << "replicate " << r;
  }

  // bench runs replicate 0 of the scenario's seed (tiny.yaml: 7).
  const Result seven = run_migrasim(
      {"run", scenario, "--posterior", "p.h5", "--replicates", "1", "--quiet", "-o", "b.h5"},
      dir.path());
  ASSERT_EQ(seven.exit_code, 0) << seven.err;
  const Result bench = run_migrasim(
      {"bench", "--scenario", scenario, "--posterior", "p.h5", "--agents", "500", "--steps", "2",
       "--warmup-steps", "0", "--threads", "1", "--no-limits", "--json"},
      dir.path());
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  const auto particle =
      static_cast<long long>(read_numeric_datasets(dir / "b.h5").at("particle")[0]);
  EXPECT_NE(bench.out.find("\"particle\": " + std::to_string(particle) + ","), std::string::npos)
      << bench.out;

  // Bad posteriors and a swept key the posterior draws: exit 2, nothing written.
  const auto listing = directory_listing(dir.path());
  const Result not_posterior =
      run_migrasim({"sweep", "s.yaml", "--posterior", "c.yaml", "-o", "x.h5"}, dir.path());
  EXPECT_EQ(not_posterior.exit_code, 2) << not_posterior.err;
  const Result bench_bad = run_migrasim(
      {"bench", "--scenario", scenario, "--posterior", "missing.h5", "--no-limits"}, dir.path());
  EXPECT_EQ(bench_bad.exit_code, 2) << bench_bad.err;
  write_text(dir / "k.yaml", "scenario: " + scenario +
                                 "\ndesign: grid\nseed: 9\nparameters:\n"
                                 "  - {name: rate, key: decisions.base_rate_per_day, values: "
                                 "[1.0e-4, 2.0e-4]}\n"
                                 "outputs:\n  - {name: encounters, series: border_encounters}\n");
  const Result clash =
      run_migrasim({"sweep", "k.yaml", "--posterior", "p.h5", "-o", "x.h5"}, dir.path());
  EXPECT_EQ(clash.exit_code, 2) << clash.err;
  EXPECT_NE(clash.err.find("k.yaml:5:5: parameters[0] (rate): key"), std::string::npos)
      << clash.err;
  EXPECT_NE(clash.err.find("is the posterior's parameter 'base_rate'"), std::string::npos)
      << clash.err;
  std::vector<std::string> expected = listing;
  expected.push_back("k.yaml");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(directory_listing(dir.path()), expected);
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

// A sweep over a posterior: the same particles and outputs from one process
// with two threads as from two ranks.
TEST(CliPosteriorMpi, SweepSameBitsForOneProcessAndTwoRanks) {
  const TempDir dir;
  write_text(dir / "c.yaml", tiny_calibration(2));
  ASSERT_EQ(
      run_migrasim({"calibrate", "c.yaml", "-o", "p.h5", "--threads", "1", "--quiet"}, dir.path())
          .exit_code,
      0);
  write_text(dir / "s.yaml",
             "scenario: " + (kSourceDir / "tests/data/tiny.yaml").string() +
                 "\ndesign: grid\nreplicates: 2\nseed: 9\n"
                 "parameters:\n"
                 "  - {name: capacity, key: asylum.capacity_per_day, values: [5, 20, "
                 "50]}\n"
                 "outputs:\n"
                 "  - {name: encounters, series: border_encounters, reduce: sum}\n");
  ASSERT_EQ(run_migrasim({"sweep", "s.yaml", "--posterior", "p.h5", "-o", "serial.h5", "--threads",
                          "2", "--quiet"},
                         dir.path())
                .exit_code,
            0);
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 1);
  const Result r = run_command(MIGRASIM_MPIEXEC,
                               {"-np", "2", kBinary.string(), "sweep", "s.yaml", "--posterior",
                                "p.h5", "-o", "mpi.h5", "--threads", "1", "--quiet"},
                               dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_same_data(dir / "serial.h5", dir / "mpi.h5");
  EXPECT_EQ(read_numeric_datasets(dir / "mpi.h5").at("particle").size(), 6u);
}
#endif

}  // namespace
}  // namespace migrasim::testing
