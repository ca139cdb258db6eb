// Sweeps in-process: reading sweep files, the three designs, member seeds,
// running members, and the output file (written, stopped, resumed).
#include <gtest/gtest.h>
#include <hdf5.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "input/sweep_spec.hpp"
#include "sweep/sweep.hpp"
#include "sweep/sweep_design.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

namespace fs = std::filesystem;

const fs::path kTiny = fs::path(MIGRASIM_SOURCE_DIR) / "tests" / "data" / "tiny.yaml";

// A sweep over tests/data/tiny.yaml; `body` gives design, parameters and outputs.
std::string sweep_text(const std::string& body) {
  return "scenario: " + kTiny.string() + "\nseed: 11\n" + body;
}

const std::string kGridBody = R"(design: grid
replicates: 2
parameters:
  - {name: rate, key: decisions.base_rate_per_day, range: [1.0e-4, 4.0e-4], levels: 3, distribution: log_uniform}
  - {name: hardship, key: decisions.hardship_weight, values: [1, 3]}
outputs:
  - {name: encounters, series: border_encounters, reduce: sum}
  - {name: departures, series: departures}
  - {name: departures_total, series: departures, reduce: sum}
  - {name: departures_april, series: departures, window: [2022-04-01, 2022-04-29], reduce: sum}
  - {name: at_home_last, series: at_home, reduce: last}
)";

std::string error_of(const std::string& text) {
  try {
    parse_sweep(text, "s.yaml");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(SweepSpec, ReadsEveryField) {
  const SweepSpec s = parse_sweep(
      sweep_text(kGridBody + "set: {population.agents: 500}\nseeds: common\n"), "dir/s.yaml");
  EXPECT_EQ(s.name, "s");
  EXPECT_EQ(s.design, SweepDesign::kGrid);
  EXPECT_EQ(s.replicates, 2u);
  EXPECT_EQ(s.seed, 11u);
  EXPECT_EQ(s.seeds, MemberSeeds::kCommon);
  ASSERT_EQ(s.fixed_overrides.size(), 1u);
  EXPECT_EQ(s.fixed_overrides[0], "population.agents=500");
  ASSERT_EQ(s.parameters.size(), 2u);
  EXPECT_EQ(s.parameters[0].distribution, Distribution::kLogUniform);
  EXPECT_EQ(s.parameters[0].levels, 3);
  EXPECT_EQ(s.parameters[1].values, (std::vector<double>{1, 3}));
  ASSERT_EQ(s.outputs.size(), 5u);
  EXPECT_EQ(s.outputs[1].reduction, Reduction::kPerStep);
  EXPECT_EQ(to_string(*s.outputs[3].window_start), "2022-04-01");
  EXPECT_EQ(s.outputs[4].reduction, Reduction::kLast);
}

TEST(SweepSpec, ScenarioPathIsRelativeToTheSweepFile) {
  const SweepSpec s =
      parse_sweep("scenario: ../tiny.yaml\nseed: 1\n" + kGridBody, "tests/data/sweeps/s.yaml");
  EXPECT_EQ(s.scenario_path, "tests/data/tiny.yaml");
}

TEST(SweepSpec, ErrorsNameLineColumnAndKey) {
  EXPECT_NE(
      error_of(sweep_text(kGridBody + "sample: 3\n")).find("s.yaml:14:1: sample: unknown key"),
      std::string::npos);
  const std::string lhs_with_levels = R"(design: latin_hypercube
samples: 4
parameters:
  - {name: rate, key: decisions.base_rate_per_day, range: [1.0e-4, 4.0e-4], levels: 3}
outputs:
  - {series: departures}
)";
  EXPECT_NE(error_of(sweep_text(lhs_with_levels))
                .find("s.yaml:6:85: parameters[0].levels: levels apply to design: grid only"),
            std::string::npos)
      << error_of(sweep_text(lhs_with_levels));
  const std::string twice = R"(design: grid
parameters:
  - {name: a, key: decisions.base_rate_per_day, values: [1, 2]}
  - {name: a, key: decisions.hardship_weight, values: [1, 2]}
outputs:
  - {series: departures}
)";
  EXPECT_NE(
      error_of(sweep_text(twice)).find("s.yaml:6:5: parameters[1]: the name 'a' is used twice"),
      std::string::npos);
  const std::string repeated_value = R"(design: grid
parameters:
  - {name: a, key: decisions.base_rate_per_day, values: [1, 1]}
outputs:
  - {series: departures}
)";
  EXPECT_NE(error_of(sweep_text(repeated_value)).find("the value 1 appears twice"),
            std::string::npos);
  const std::string reversed_window = R"(design: grid
parameters:
  - {name: a, key: decisions.base_rate_per_day, values: [1, 2]}
outputs:
  - {series: departures, window: [2022-04-01, 2022-03-01], reduce: sum}
)";
  EXPECT_NE(error_of(sweep_text(reversed_window)).find("the window ends before it starts"),
            std::string::npos);
}

SweepSpec spec_with(SweepDesign design, std::uint32_t samples,
                    std::vector<SweepParameter> parameters) {
  SweepSpec s;
  s.design = design;
  s.samples = samples;
  s.seed = 99;
  s.parameters = std::move(parameters);
  return s;
}

SweepParameter range(const std::string& name, double low, double high,
                     Distribution d = Distribution::kUniform) {
  SweepParameter p;
  p.name = name;
  p.key_path = "k." + name;
  p.lower = low;
  p.upper = high;
  p.distribution = d;
  return p;
}

TEST(SweepDesignGrid, LastParameterVariesFastest) {
  SweepParameter a = range("a", 1, 100, Distribution::kLogUniform);
  a.levels = 3;
  SweepParameter b;
  b.name = "b";
  b.distribution = Distribution::kValues;
  b.values = {5, 7};
  const SweepPlan plan = plan_sweep(spec_with(SweepDesign::kGrid, 0, {a, b}));
  ASSERT_EQ(plan.members, 6u);
  const std::vector<double> expected_a = {1, 1, 10, 10, 100, 100};
  const std::vector<double> expected_b = {5, 7, 5, 7, 5, 7};
  for (std::uint32_t m = 0; m < 6; ++m) {
    EXPECT_NEAR(plan.value(m, 0), expected_a[m], 1e-12 * expected_a[m]) << m;
    EXPECT_EQ(plan.value(m, 1), expected_b[m]) << m;
  }
  EXPECT_EQ(plan.value(0, 0), 1.0);  // the ends of a range are exact
  EXPECT_EQ(plan.value(5, 0), 100.0);
}

TEST(SweepDesignLatinHypercube, EveryStratumOnceForEveryParameter) {
  const std::uint32_t n = 50;
  const SweepPlan plan =
      plan_sweep(spec_with(SweepDesign::kLatinHypercube, n, {range("a", 0, 1), range("b", -5, 5)}));
  ASSERT_EQ(plan.members, n);
  for (std::uint32_t p = 0; p < 2; ++p) {
    const double low = p == 0 ? 0 : -5, width = p == 0 ? 1 : 10;
    std::set<int> strata;
    for (std::uint32_t m = 0; m < n; ++m) {
      const double u = (plan.value(m, p) - low) / width;
      ASSERT_GT(u, 0.0);
      ASSERT_LT(u, 1.0);
      strata.insert(static_cast<int>(u * n));
    }
    EXPECT_EQ(strata.size(), n) << "parameter " << p;
  }
  // The pairing of strata is random: the two columns are not in the same order.
  int same_order = 0;
  for (std::uint32_t m = 0; m < n; ++m) {
    same_order +=
        static_cast<int>(plan.value(m, 0) * n) == static_cast<int>((plan.value(m, 1) + 5) / 10 * n);
  }
  EXPECT_LT(same_order, 10);
}

TEST(SweepDesignLatinHypercube, DependsOnTheSeedOnly) {
  SweepSpec s = spec_with(SweepDesign::kLatinHypercube, 20, {range("a", 0, 1)});
  const SweepPlan first = plan_sweep(s);
  EXPECT_EQ(plan_sweep(s).values, first.values);
  s.seed = 100;
  EXPECT_NE(plan_sweep(s).values, first.values);
}

TEST(SweepDesignSobol, SaltelliBlocksInSalibOrder) {
  const std::uint32_t n = 64, k = 3;
  const SweepPlan plan = plan_sweep(spec_with(
      SweepDesign::kSobol, n,
      {range("a", 0, 1), range("b", 10, 20), range("c", 1, 1000, Distribution::kLogUniform)}));
  ASSERT_EQ(plan.members, n * (k + 2));
  double mean_a = 0.0;
  std::uint32_t distinct = 0;  // columns of A and B that differ
  for (std::uint32_t j = 0; j < n; ++j) {
    const std::uint32_t a = j * (k + 2), b = a + k + 1;
    mean_a += plan.value(a, 0) / n;
    for (std::uint32_t i = 0; i < k; ++i) {
      const std::uint32_t ab = a + 1 + i;
      for (std::uint32_t p = 0; p < k; ++p) {
        // AB_i is A with column i taken from B: equal bits, not merely close.
        EXPECT_EQ(plan.value(ab, p), p == i ? plan.value(b, p) : plan.value(a, p))
            << j << " " << i << " " << p;
      }
    }
    for (std::uint32_t p = 0; p < k; ++p) distinct += plan.value(a, p) != plan.value(b, p);
    EXPECT_GE(plan.value(a, 2), 1.0);
    EXPECT_LE(plan.value(a, 2), 1000.0);
  }
  // 64 points of a Sobol sequence fill [0, 1) far more evenly than random
  // points: their mean is within 1/64 of 1/2 (random: sd 0.036).
  EXPECT_NEAR(mean_a, 0.5, 1.0 / 64);
  // In every block, every column of A differs from B's: no AB^i equals A.
  EXPECT_EQ(distinct, n * k);
}

TEST(SweepSeeds, PerMemberDistinctAndReproducibleOrCommon) {
  SweepSpec s = spec_with(SweepDesign::kLatinHypercube, 200, {range("a", 0, 1)});
  const SweepPlan plan = plan_sweep(s);
  EXPECT_EQ(std::set<std::uint64_t>(plan.seeds.begin(), plan.seeds.end()).size(), 200u);
  for (const std::uint64_t seed : plan.seeds) EXPECT_LT(seed, std::uint64_t{1} << 53);
  EXPECT_EQ(plan_sweep(s).seeds, plan.seeds);
  s.seeds = MemberSeeds::kCommon;
  for (const std::uint64_t seed : plan_sweep(s).seeds) EXPECT_EQ(seed, 99u);
}

TEST(SweepDesign, OverridesReadBackAsTheSameDouble) {
  SweepParameter p = range("a", 0, 1);
  for (const double value : {0.1, 1.0 / 3.0, 2.5e-7, 123456.0, 0.30000000000000004}) {
    const std::string text = parameter_override(p, value);
    EXPECT_EQ(std::stod(text.substr(text.find('=') + 1)), value) << text;
  }
  p.integer = true;
  EXPECT_EQ(parameter_override(p, 41.6), "k.a=42");
}

// --- running members --------------------------------------------------------

class SweepRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("migrasim_sweep_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

std::vector<double> read_variable(const fs::path& file, const char* name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_GE(f, 0) << file;
  const hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  EXPECT_GE(d, 0) << name;
  const hid_t space = H5Dget_space(d);
  std::vector<double> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  H5Sclose(space);
  H5Dclose(d);
  H5Fclose(f);
  return values;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST_F(SweepRun, ReductionsAgreeWithTheStepByStepOutput) {
  const Sweep sweep(parse_sweep(sweep_text(kGridBody), "s.yaml"));
  ASSERT_EQ(sweep.members(), 6u);
  ASSERT_EQ(sweep.kept_steps().size(), 60u);
  const MemberResult r = sweep.run_member(4);
  ASSERT_TRUE(r.ok) << r.error;
  // Layout: encounters (2), departures (2 x 60), departures_total (2), departures_april (2),
  // at_home_last (2).
  ASSERT_EQ(r.values.size(), 2u + 120u + 2u + 2u + 2u);
  for (int rep = 0; rep < 2; ++rep) {
    const double* per_step = r.values.data() + 2 + rep * 60;
    double total = 0.0, april = 0.0;
    for (int t = 0; t < 60; ++t) {
      total += per_step[t];
      if (t >= 31) april += per_step[t];  // 2022-04-01 is step 31 of a run from 2022-03-01
    }
    EXPECT_EQ(r.values[122 + rep], total);
    EXPECT_EQ(r.values[124 + rep], april);
    EXPECT_GT(total, 0.0);
  }
  // The same member again: the same bits.
  EXPECT_TRUE(same_bits(sweep.run_member(4).values, r.values));
}

// Outputs at a place read the run's node, edge and checkpoint series there.
// tiny.yaml has one checkpoint and one deadly edge, so each place's series
// equals the corridor's.
TEST_F(SweepRun, OutputsAtAPlaceAreThatPlacesSeries) {
  const std::string body = R"(design: grid
replicates: 2
parameters:
  - {name: rate, key: decisions.base_rate_per_day, values: [1.0e-3]}
outputs:
  - {name: deaths, series: deaths, reduce: sum}
  - {name: jungle_deaths, series: edge_deaths, at: {edge: hub->jungle}, reduce: sum}
  - {name: apprehensions, series: apprehensions}
  - {name: patrol_apprehensions, series: checkpoint_apprehensions, at: {checkpoint: border_patrol}}
  - {name: border_arrivals, series: node_arrivals, at: {node: border}, reduce: sum}
)";
  const Sweep sweep(parse_sweep(sweep_text(body), "s.yaml"));
  const MemberResult r = sweep.run_member(0);
  ASSERT_TRUE(r.ok) << r.error;
  // Layout: deaths (2), jungle_deaths (2), apprehensions (2 x 60), patrol (2 x 60), border (2).
  ASSERT_EQ(r.values.size(), 2u + 2u + 120u + 120u + 2u);
  double apprehended = 0.0;
  for (int rep = 0; rep < 2; ++rep) {
    EXPECT_EQ(r.values[2 + rep], r.values[rep]);
    for (int t = 0; t < 60; ++t) {
      EXPECT_EQ(r.values[124 + rep * 60 + t], r.values[4 + rep * 60 + t]) << t;
      apprehended += r.values[4 + rep * 60 + t];
    }
    // Every apprehension happens at the border, after arriving there.
    EXPECT_GE(r.values[244 + rep], 0.0);
  }
  EXPECT_GT(apprehended, 0.0);
  EXPECT_GE(r.values[244] + r.values[245], apprehended);

  // The file records the place.
  SweepOptions options;
  options.quiet = true;
  const fs::path out = dir_ / "at.h5";
  run_sweep(sweep, out, options);
  const hid_t f = H5Fopen(out.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, "jungle_deaths", H5P_DEFAULT);
  const hid_t a = H5Aopen(d, "at", H5P_DEFAULT);
  ASSERT_GE(a, 0);
  const hid_t type = H5Aget_type(a);
  std::string at(H5Tget_size(type), '\0');
  if (H5Tis_variable_str(type) > 0) {
    char* text = nullptr;
    H5Aread(a, type, &text);
    at = text;
    H5free_memory(text);
  } else {
    H5Aread(a, type, at.data());
    at.resize(std::strlen(at.c_str()));
  }
  H5Tclose(type);
  H5Aclose(a);
  H5Dclose(d);
  H5Fclose(f);
  EXPECT_EQ(at, "edge: hub->jungle");
}

TEST(SweepSpec, OutputsAtAPlaceAreCheckedLikeCalibrationTargets) {
  const auto error = [](const std::string& output) {
    try {
      Sweep(parse_sweep(sweep_text("design: grid\nparameters:\n  - {name: rate, key: "
                                   "decisions.base_rate_per_day, values: [1.0e-4]}\noutputs:\n" +
                                   output),
                        "s.yaml"));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error("  - {series: node_arrivals, reduce: sum}\n"),
            "s.yaml:7:14: outputs[0].series: unknown series 'node_arrivals' for the whole "
            "corridor; it has a node axis: add at: {node: NAME}");
  EXPECT_EQ(error("  - {series: node_arrivals, at: {node: harbour}}\n"),
            "s.yaml:7:40: outputs[0].at.node: the scenario has no node 'harbour' (its nodes: "
            "home, hub, jungle, flight, border, haven)");
  EXPECT_EQ(error("  - {series: node_arrivals, at: {edge: hub->jungle}}\n").substr(0, 78),
            "s.yaml:7:14: outputs[0].series: no series 'node_arrivals' is recorded per edge");
  EXPECT_EQ(error("  - {series: departures, at: {node: hub}}\n").substr(0, 75),
            "s.yaml:7:14: outputs[0].series: no series 'departures' is recorded per node");
  EXPECT_NE(error("  - {series: node_arrivals, at: {region: north}}\n")
                .find("s.yaml:7:34: outputs[0].at.region: unknown kind of place 'region'"),
            std::string::npos);
}

TEST_F(SweepRun, MembersDependOnTheirValuesAndSeeds) {
  const Sweep sweep(parse_sweep(sweep_text(kGridBody), "s.yaml"));
  // Members 0 and 4 differ in the base rate (1e-4 vs 4e-4): more departures at the higher rate.
  const MemberResult low = sweep.run_member(0), high = sweep.run_member(4);
  ASSERT_TRUE(low.ok && high.ok);
  EXPECT_LT(low.values[122] + low.values[123], high.values[122] + high.values[123]);
}

TEST_F(SweepRun, SameFileForAnyThreadCount) {
  const Sweep sweep(parse_sweep(sweep_text(kGridBody), "s.yaml"));
  SweepOptions options;
  options.quiet = true;
  std::vector<std::vector<double>> by_threads;
  // 1 thread; 2 and 3 threads with members side by side (automatic at these
  // sizes); 2 threads with each member's agents split across them.
  const std::pair<int, Parallelism> runs[] = {{1, Parallelism::kAuto},
                                              {2, Parallelism::kAuto},
                                              {3, Parallelism::kSideBySide},
                                              {2, Parallelism::kAgents}};
  for (const auto& [threads, parallelism] : runs) {
    options.threads = threads;
    options.parallelism = parallelism;
    const fs::path out = dir_ / ("t" + std::to_string(by_threads.size()) + ".h5");
    const SweepSummary summary = run_sweep(sweep, out, options);
    EXPECT_EQ(summary.ran, 6u);
    EXPECT_TRUE(summary.failures.empty());
    EXPECT_FALSE(fs::exists(SweepFile::partial_path(out)));
    by_threads.push_back(read_variable(out, "departures"));
    const std::vector<double> status = read_variable(out, "member_status");
    EXPECT_TRUE(std::all_of(status.begin(), status.end(), [](double s) { return s == 1.0; }));
  }
  omp_set_num_threads(omp_get_num_procs());
  for (std::size_t k = 1; k < by_threads.size(); ++k)
    EXPECT_TRUE(same_bits(by_threads[0], by_threads[k])) << k;
}

// A stopped sweep keeps its finished members in OUT.partial; resuming runs the
// rest, and the result equals a sweep run straight through.
TEST_F(SweepRun, StoppedAndResumedEqualsStraightThrough) {
  const Sweep sweep(parse_sweep(sweep_text(kGridBody), "s.yaml"));
  SweepOptions options;
  options.quiet = true;
  options.threads = 1;
  const fs::path straight = dir_ / "straight.h5";
  run_sweep(sweep, straight, options);

  const fs::path resumed = dir_ / "resumed.h5";
  {
    SweepFile file(sweep, resumed, options);
    for (const std::uint32_t m : {0u, 3u}) file.write(sweep.run_member(m));
    // Destroyed without commit: as if the process had been stopped here.
  }
  ASSERT_TRUE(fs::exists(SweepFile::partial_path(resumed)));
  ASSERT_FALSE(fs::exists(resumed));
  // Without --resume the partial file is neither reused nor overwritten.
  EXPECT_THROW(run_sweep(sweep, resumed, options), OutputError);
  options.resume = true;
  const SweepSummary summary = run_sweep(sweep, resumed, options);
  EXPECT_EQ(summary.already_done, 2u);
  EXPECT_EQ(summary.ran, 4u);
  for (const char* name : {"encounters", "departures", "departures_april", "at_home_last", "rate",
                           "hardship", "member_seed", "member_status"}) {
    EXPECT_TRUE(same_bits(read_variable(straight, name), read_variable(resumed, name))) << name;
  }
}

// --resume trusts no value of the partial file: a finished member whose
// outputs changed (a flipped value) or that was marked finished without having
// run fails its checksum and is run again; parameter values and seeds follow
// from the sweep file and are rewritten. The result equals a straight run.
TEST_F(SweepRun, ResumeRerunsMembersThatFailTheirChecksum) {
  const Sweep sweep(parse_sweep(sweep_text(kGridBody), "s.yaml"));
  SweepOptions options;
  options.quiet = true;
  options.threads = 1;
  const fs::path straight = dir_ / "straight.h5";
  run_sweep(sweep, straight, options);

  const fs::path resumed = dir_ / "resumed.h5";
  {
    SweepFile file(sweep, resumed, options);
    for (const std::uint32_t m : {0u, 1u, 3u}) file.write(sweep.run_member(m));
  }
  const fs::path partial = SweepFile::partial_path(resumed);
  {
    const hid_t file = H5Fopen(partial.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    const auto overwrite = [&](const char* name, hsize_t index, double value) {
      const hid_t dataset = H5Dopen2(file, name, H5P_DEFAULT);
      const hid_t space = H5Dget_space(dataset);
      const int rank = H5Sget_simple_extent_ndims(space);
      std::vector<hsize_t> start(static_cast<std::size_t>(rank), 0), count(start.size(), 1);
      start[0] = index;
      H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
      const hsize_t one = 1;
      const hid_t memory = H5Screate_simple(1, &one, nullptr);
      EXPECT_GE(H5Dwrite(dataset, H5T_NATIVE_DOUBLE, memory, space, H5P_DEFAULT, &value), 0);
      H5Sclose(memory);
      H5Sclose(space);
      H5Dclose(dataset);
    };
    overwrite("encounters", 1, 3.37e8);  // a value flipped in finished member 1
    overwrite("member_status", 2, 1.0);  // member 2 marked finished, never run
    overwrite("rate", 0, 42.0);          // a parameter value of the layout
    H5Fclose(file);
  }
  options.resume = true;
  const SweepSummary summary = run_sweep(sweep, resumed, options);
  EXPECT_EQ(summary.damaged, 2u);
  EXPECT_EQ(summary.already_done, 2u);  // members 0 and 3
  EXPECT_EQ(summary.ran, 4u);
  for (const char* name : {"encounters", "departures", "departures_april", "at_home_last", "rate",
                           "hardship", "member_seed", "member_status", "member_checksum"}) {
    EXPECT_TRUE(same_bits(read_variable(straight, name), read_variable(resumed, name))) << name;
  }
}

// --resume of `sweep` into `out` fails with an input error that says `reason`.
void expect_resume_refused(const Sweep& sweep, const fs::path& out, SweepOptions options,
                           const std::string& reason) {
  options.resume = true;
  try {
    run_sweep(sweep, out, options);
    FAIL() << "resumed a partial file it should refuse (" << reason << ")";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
  }
}

TEST_F(SweepRun, ResumeRefusesAPartialFileOfAnotherSweep) {
  SweepOptions options;
  options.quiet = true;
  options.threads = 1;
  const fs::path out = dir_ / "out.h5";
  {
    const Sweep sweep(parse_sweep(sweep_text(kGridBody), "s.yaml"));
    SweepFile file(sweep, out, options);
  }
  std::string changed = kGridBody;
  changed.replace(changed.find("replicates: 2"), 13, "replicates: 3");
  const Sweep other(parse_sweep(sweep_text(changed), "s.yaml"));
  expect_resume_refused(other, out, options, "was written for a different sweep file");
}

// A partial file from a build with another SLEEF release (here: one that
// did not record it) is not continued: its members' initial populations
// would differ in their bits from those drawn now.
TEST_F(SweepRun, ResumeRefusesAPartialFileOfAnotherSleefRelease) {
  SweepOptions options;
  options.quiet = true;
  options.threads = 1;
  const fs::path out = dir_ / "out.h5";
  const Sweep sweep(parse_sweep(sweep_text(kGridBody), "s.yaml"));
  { SweepFile file(sweep, out, options); }
  const fs::path partial = dir_ / "out.h5.partial";
  ASSERT_TRUE(fs::exists(partial));
  const hid_t file = H5Fopen(partial.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  EXPECT_GE(H5Adelete(file, "sleef_version"), 0);
  H5Fclose(file);
  expect_resume_refused(sweep, out, options, "SLEEF (unknown)");
}

// --- over a posterior ---------------------------------------------------------

// Two "particles" of the border patrol's detection probability; replicate r of
// a member with seed s takes row (s + r) mod 2, as a posterior's draw would.
ReplicateParameters two_detection_rows() {
  ReplicateParameters draws;
  draws.file = "p.h5";
  draws.fingerprint = "two rows";
  draws.names = {"detection"};
  draws.key_paths = {"checkpoints.border_patrol.detection_probability"};
  draws.values = {0.6, 0.95};
  draws.row = [](std::uint64_t seed, std::uint32_t replicate) {
    return static_cast<std::uint32_t>((seed + replicate) % 2);
  };
  draws.overrides = [](std::uint32_t row) {
    return std::vector<std::string>{
        std::string("checkpoints.border_patrol.detection_probability=") +
        (row == 0 ? "0.6" : "0.95")};
  };
  return draws;
}

const std::string kPosteriorBody = R"(design: grid
replicates: 3
parameters:
  - {name: hardship, key: decisions.hardship_weight, values: [1, 3]}
outputs:
  - {name: encounters, series: border_encounters, reduce: sum}
)";

// Replicate r of member m runs exactly as replicate r of member m of the same
// sweep with its row's value fixed by `set`: same seed, same values.
TEST_F(SweepRun, OverAPosteriorEachReplicateRunsWithItsRow) {
  const Sweep sweep(parse_sweep(sweep_text(kPosteriorBody), "s.yaml"), two_detection_rows());
  std::vector<std::vector<double>> fixed;  // per row: member x replicate
  for (const char* value : {"0.6", "0.95"}) {
    const Sweep plain(parse_sweep(sweep_text(std::string("set: {checkpoints.border_patrol."
                                                         "detection_probability: ") +
                                             value + "}\n" + kPosteriorBody),
                                  "s.yaml"));
    std::vector<double> values;
    for (std::uint32_t m = 0; m < 2; ++m) {
      const MemberResult r = plain.run_member(m);
      ASSERT_TRUE(r.ok) << r.error;
      values.insert(values.end(), r.values.begin(), r.values.end());
    }
    fixed.push_back(values);
  }
  EXPECT_NE(fixed[0], fixed[1]);
  std::set<std::uint32_t> rows_used;
  for (std::uint32_t m = 0; m < 2; ++m) {
    const MemberResult r = sweep.run_member(m);
    ASSERT_TRUE(r.ok) << r.error;
    for (std::uint32_t rep = 0; rep < 3; ++rep) {
      const std::uint32_t row = sweep.replicate_row(m, rep);
      EXPECT_EQ(row, (sweep.plan().seeds[m] + rep) % 2);
      rows_used.insert(row);
      EXPECT_EQ(r.values[rep], fixed[row][m * 3 + rep]) << "member " << m << " replicate " << rep;
    }
  }
  EXPECT_EQ(rows_used.size(), 2u);

  // The file records each replicate's row and its values.
  SweepOptions options;
  options.quiet = true;
  options.threads = 1;
  const fs::path out = dir_ / "out.h5";
  run_sweep(sweep, out, options);
  const std::vector<double> particle = read_variable(out, "particle");
  const std::vector<double> value = read_variable(out, "parameter_value");
  ASSERT_EQ(particle.size(), 6u);
  ASSERT_EQ(value.size(), 6u);
  for (std::uint32_t m = 0; m < 2; ++m) {
    for (std::uint32_t rep = 0; rep < 3; ++rep) {
      EXPECT_EQ(particle[m * 3 + rep], sweep.replicate_row(m, rep));
      EXPECT_EQ(value[m * 3 + rep], sweep.replicate_row(m, rep) == 0 ? 0.6 : 0.95);
    }
  }
}

std::string posterior_sweep_error(const std::string& body) {
  try {
    const Sweep sweep(parse_sweep(sweep_text(body), "s.yaml"), two_detection_rows());
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(SweepOverAPosterior, RefusesItsKeysSweptOrSetAndItsReservedNames) {
  std::string swept = kPosteriorBody;
  swept.replace(swept.find("decisions.hardship_weight"), 25,
                "checkpoints.border_patrol.detection_probability");
  EXPECT_NE(posterior_sweep_error(swept).find(
                "s.yaml:6:5: parameters[0] (hardship): key "
                "'checkpoints[0].detection_probability' is the posterior's parameter 'detection'"),
            std::string::npos)
      << posterior_sweep_error(swept);
  // The same key by index is the same key.
  const std::string set =
      posterior_sweep_error("set: {checkpoints.0.detection_probability: 0.7}\n" + kPosteriorBody);
  EXPECT_NE(set.find("s.yaml:3:6: set: key"), std::string::npos) << set;
  EXPECT_NE(set.find("drawn for every replicate"), std::string::npos) << set;
  std::string reserved = kPosteriorBody;
  reserved.replace(reserved.find("{name: encounters"), 17, "{name: particle");
  EXPECT_NE(posterior_sweep_error(reserved).find("'particle' is a reserved name"),
            std::string::npos)
      << posterior_sweep_error(reserved);
}

TEST_F(SweepRun, ResumeRefusesAPartialFileOverAnotherPosterior) {
  SweepOptions options;
  options.quiet = true;
  options.threads = 1;
  const fs::path out = dir_ / "out.h5";
  {
    const Sweep sweep(parse_sweep(sweep_text(kPosteriorBody), "s.yaml"), two_detection_rows());
    SweepFile file(sweep, out, options);
  }
  ReplicateParameters other = two_detection_rows();
  other.fingerprint = "other rows";
  const Sweep changed(parse_sweep(sweep_text(kPosteriorBody), "s.yaml"), other);
  expect_resume_refused(changed, out, options, "whose particles differ");
  const Sweep without(parse_sweep(sweep_text(kPosteriorBody), "s.yaml"));
  expect_resume_refused(without, out, options, "this sweep runs without one");
}

// Values each acceptable alone but not together make one member fail; the
// sweep goes on and marks it.
TEST_F(SweepRun, AFailedMemberIsRecordedAndTheSweepGoesOn) {
  const std::string text =
      "scenario: " + (fs::path(MIGRASIM_SOURCE_DIR) / "scenarios" / "baseline.yaml").string() + R"(
seed: 3
design: grid
set: {population.agents: 2000, population.persons_per_agent: 1000, time.end: 2020-10-10, communities.count: 50}
parameters:
  - {name: capacity, key: smugglers.darien_guides.capacity_per_day, values: [10, 300]}
  - {name: max_capacity, key: smugglers.darien_guides.max_capacity_per_day, values: [200, 400]}
outputs:
  - {name: departures, series: departures, reduce: sum}
)";
  const Sweep sweep(parse_sweep(text, "s.yaml"));
  SweepOptions options;
  options.quiet = true;
  options.threads = 1;
  const fs::path out = dir_ / "out.h5";
  const SweepSummary summary = run_sweep(sweep, out, options);
  ASSERT_EQ(summary.failures.size(), 1u);
  EXPECT_EQ(summary.failures[0].first, 2u);  // capacity 300 with max 200
  EXPECT_NE(summary.failures[0].second.find("capacity_per_day is above max_capacity_per_day"),
            std::string::npos);
  EXPECT_EQ(read_variable(out, "member_status"), (std::vector<double>{1, 1, 2, 1}));
  const std::vector<double> departures = read_variable(out, "departures");
  EXPECT_TRUE(std::isnan(departures[2]));
  EXPECT_FALSE(std::isnan(departures[3]));
}

}  // namespace
}  // namespace migrasim
