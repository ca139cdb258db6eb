#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "engine/simulation.hpp"
#include "input/scenario.hpp"
#include "output/h5.hpp"
#include "python/in_memory_run.hpp"
#include "python/loaded_scenario.hpp"
#include "python/replicate_series.hpp"
#include "test_support.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

namespace fs = std::filesystem;

Model tiny_model() { return compile(parse_scenario(testing::tiny_scenario_yaml(), "tiny.yaml")); }

std::vector<double> read_all(hid_t file, const char* name) {
  const h5::Dataset dataset(h5::check(H5Dopen2(file, name, H5P_DEFAULT), name));
  const h5::Dataspace space(h5::check(H5Dget_space(dataset.get()), name));
  std::vector<double> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  h5::check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
            name);
  return values;
}

// migrasim.run's promise: the Dataset is the file `migrasim run` writes. Both
// come from run_scenario and create_run_file; the image opens as an HDF5 file
// with the same values. (Its bytes may differ: HDF5 trims the free space it
// keeps at the end of a file only when the file closes, after the image is
// taken. analysis/tests/test_native.py compares every variable and attribute.)
TEST(InMemoryRun, ImageHoldsWhatRunScenarioWrites) {
  const Model m = tiny_model();
  const fs::path path =
      fs::temp_directory_path() / ("migrasim_in_memory_" + std::to_string(::getpid()) + ".h5");
  RunOptions options;
  options.command_line = "migrasim run tiny.yaml";
  run_scenario(m, path, options);
  std::vector<unsigned char> image = run_to_image(m, path.string(), options);
  const h5::File disk(h5::check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "disk"));
  // Opened from memory: the core driver over a copy of the image (which HDF5
  // 1.10 takes through a pointer to non-const).
  const h5::PropertyList fapl(h5::check(H5Pcreate(H5P_FILE_ACCESS), "image"));
  h5::check(H5Pset_fapl_core(fapl.get(), std::size_t{1} << 20, false), "image");
  h5::check(H5Pset_file_image(fapl.get(), image.data(), image.size()), "image");
  const h5::File memory(h5::check(H5Fopen("image.h5", H5F_ACC_RDONLY, fapl.get()), "image"));
  for (const char* name : {"border_encounters", "node_stock", "time", "replicate"}) {
    EXPECT_EQ(read_all(memory.get(), name), read_all(disk.get(), name)) << name;
  }
  fs::remove(path);
}

// migrasim.simulator's series are the values the file holds.
TEST(InMemoryRun, ReplicateSeriesAreTheRecordedValues) {
  const Model m = tiny_model();
  const ReplicateSeries series = run_replicate_series(m, 0);
  ASSERT_EQ(series.replicates, m.replicates);
  const auto steps = static_cast<std::size_t>(m.steps);
  ASSERT_EQ(series.scalar.size(), m.replicates * kSeriesCount * steps);
  const std::size_t arrivals = index(AxisSeries::kNodeArrivals);
  ASSERT_EQ(series.axis[arrivals].size(), m.replicates * steps * m.node_count());
  State state = make_state(m);
  run_replicate(m, 1, state);
  const std::size_t offset = kSeriesCount * steps;
  EXPECT_TRUE(std::equal(state.recording.scalar.begin(), state.recording.scalar.end(),
                         series.scalar.begin() + static_cast<std::ptrdiff_t>(offset)));
  const std::vector<double>& recorded = state.recording.axis[arrivals];
  EXPECT_TRUE(std::equal(
      recorded.begin(), recorded.end(),
      series.axis[arrivals].begin() + static_cast<std::ptrdiff_t>(steps * m.node_count())));
}

TEST(LoadedScenario, OverridesAppliedAgainWithoutTheFile) {
  const LoadedScenario loaded =
      load_for_python(testing::tiny_scenario_yaml(), true, {"population.agents=1000"});
  EXPECT_EQ(loaded.file, kTextFileName);
  EXPECT_EQ(loaded.model.agents, 1000u);
  const Model more = recompile(loaded, {"decisions.hardship_weight=2.5", "run.seed=9"});
  EXPECT_EQ(more.agents, 1000u);
  EXPECT_EQ(more.seed, 9u);
  EXPECT_EQ(more.overrides.size(), 3u);
  try {
    recompile(loaded, {"decisions.hardship_weightt=2"});
    FAIL() << "an unknown key was accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("--set decisions.hardship_weightt=2"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace migrasim
