#include <gtest/gtest.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "output/h5.hpp"
#include "output/output_file.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kReplicates = 2;
constexpr std::size_t kTimes = 5;
constexpr std::size_t kNodes = 3;

// Same expressions, in the same order, as the Python check below.
double encounters(std::size_t r, std::size_t t) {
  return 10.0 * static_cast<double>(r) + static_cast<double>(t) + 0.1;
}
double stock(std::size_t r, std::size_t t, std::size_t n) {
  return 100.0 * static_cast<double>(r) + 10.0 * static_cast<double>(t) + static_cast<double>(n) +
         0.1;
}

std::vector<Axis> test_axes() {
  Axis replicate{"replicate", "replicate", "1", {0, 1}, {}, {}};
  Axis time{"time", "time", "days since 2021-01-01", {0, 1, 2, 3, 4}, {}, {}};
  time.attributes.push_back({"calendar", "proleptic_gregorian"});
  Axis node{"node", "node name", "", {}, {"Aleppo", "İzmir", "Zürich"}, {}};
  return {replicate, time, node};
}

std::vector<Variable> test_variables() {
  Variable border{"border_encounters", "border encounters per day", "persons", {}, {}};
  border.dims = {"replicate", "time"};
  Variable node_stock{"node_stock", "agents present at a node", "persons", {}, {}};
  node_stock.dims = {"replicate", "time", "node"};
  node_stock.attributes.push_back({"cell_methods", "time: point"});
  return {border, node_stock};
}

std::vector<Attribute> test_root_attributes() {
  return {{"title", "migrasim test"},
          {"seed", std::int64_t{-42}},
          {"agents", std::numeric_limits<std::uint64_t>::max()},
          {"dt", 0.25}};
}

std::unique_ptr<OutputFile> make_file(const fs::path& path, bool overwrite = false) {
  return std::make_unique<OutputFile>(path, test_axes(), test_variables(), test_root_attributes(),
                                      overwrite);
}

void write_all(OutputFile& file, std::size_t replicates = kReplicates) {
  for (std::size_t r = 0; r < replicates; ++r) {
    std::vector<double> border;
    std::vector<double> nodes;
    for (std::size_t t = 0; t < kTimes; ++t) {
      border.push_back(encounters(r, t));
      for (std::size_t n = 0; n < kNodes; ++n) nodes.push_back(stock(r, t, n));
    }
    file.write("border_encounters", {r}, border);
    file.write("node_stock", {r}, nodes);
  }
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<double> read_doubles(hid_t file, const char* name) {
  const h5::Dataset dataset(h5::check(H5Dopen2(file, name, H5P_DEFAULT), name));
  const h5::Dataspace space(h5::check(H5Dget_space(dataset.get()), name));
  std::vector<double> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  h5::check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
            name);
  return values;
}

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    // Parameterised names contain '/'.
    std::string name = std::string(info->test_suite_name()) + "." + info->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ = fs::temp_directory_path() / ("migrasim_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }

  fs::path dir_;
};

TEST_F(OutputFileTest, FileAppearsOnlyAfterCommit) {
  const fs::path path = dir_ / "run.h5";
  auto file = make_file(path);
  EXPECT_EQ(file->final_path(), path);
  // Beside the output, under a fresh random name (util/safe_file.hpp).
  EXPECT_EQ(file->temporary_path().parent_path(), dir_);
  EXPECT_EQ(file->temporary_path().filename().string().rfind("run.h5.tmp-", 0), 0u);
  write_all(*file);
  EXPECT_TRUE(fs::exists(file->temporary_path()));
  EXPECT_FALSE(fs::exists(path));
  file->commit();
  EXPECT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(file->temporary_path()));
  EXPECT_EQ(entries(), 1u);
  EXPECT_THROW(file->write("border_encounters", {0}, std::vector<double>(kTimes)), OutputError);
  EXPECT_THROW(file->commit(), OutputError);
}

// A resumable file is found under its partial name only once its layout is
// complete: one abandoned (killed, failed) while laying out leaves nothing.
TEST_F(OutputFileTest, PartialFileAppearsOnlyWhenKept) {
  const fs::path partial = dir_ / "run.h5.partial";
  {
    OutputFile file(dir_ / "run.h5", test_axes(), test_variables(), {},
                    OutputOptions{false, partial});
    EXPECT_FALSE(fs::exists(partial));
  }
  EXPECT_EQ(entries(), 0u);
  {
    OutputFile file(dir_ / "run.h5", test_axes(), test_variables(), {},
                    OutputOptions{false, partial});
    file.keep_as_partial();
    EXPECT_EQ(file.temporary_path(), partial);
  }
  EXPECT_TRUE(fs::is_regular_file(partial));
  EXPECT_EQ(entries(), 1u);
  // Reopened only if it is a regular file, never through a link.
  fs::rename(partial, dir_ / "elsewhere.h5");
  fs::create_symlink(dir_ / "elsewhere.h5", partial);
  EXPECT_THROW(OutputFile::reopen(dir_ / "run.h5", partial, false), OutputError);
}

TEST_F(OutputFileTest, DestructorWithoutCommitLeavesNothing) {
  {
    auto file = make_file(dir_ / "run.h5");
    write_all(*file);
    ASSERT_TRUE(fs::exists(file->temporary_path()));
  }
  EXPECT_EQ(entries(), 0u);
}

TEST_F(OutputFileTest, RefusesToOverwriteUnlessAsked) {
  const fs::path path = dir_ / "run.h5";
  std::ofstream(path) << "precious";
  try {
    make_file(path);
    FAIL() << "expected OutputError";
  } catch (const OutputError& error) {
    EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos) << error.what();
  }
  EXPECT_EQ(read_bytes(path), "precious");
  EXPECT_EQ(entries(), 1u);

  auto file = make_file(path, /*overwrite=*/true);
  write_all(*file);
  EXPECT_EQ(read_bytes(path), "precious");
  file->commit();
  EXPECT_GT(H5Fis_hdf5(path.c_str()), 0);
  EXPECT_EQ(entries(), 1u);
}

TEST_F(OutputFileTest, MissingDirectoryThrows) {
  const fs::path missing = dir_ / "no" / "such";
  try {
    make_file(missing / "run.h5");
    FAIL() << "expected OutputError";
  } catch (const OutputError& error) {
    EXPECT_NE(std::string(error.what()).find(missing.string()), std::string::npos) << error.what();
  }
  EXPECT_EQ(entries(), 0u);
}

TEST_F(OutputFileTest, WriteValidatesNameIndicesAndSize) {
  auto file = make_file(dir_ / "run.h5");
  const std::vector<double> row(kTimes, 1.0);
  try {
    file->write("no_such_variable", {0}, row);
    FAIL() << "expected OutputError";
  } catch (const OutputError& error) {
    EXPECT_NE(std::string(error.what()).find("'no_such_variable'"), std::string::npos);
  }
  EXPECT_THROW(file->write("border_encounters", {kReplicates}, row), OutputError);
  EXPECT_THROW(file->write("border_encounters", {0}, std::vector<double>(kTimes + 1)), OutputError);
  EXPECT_THROW(file->write("border_encounters", {0}, std::vector<double>()), OutputError);
  EXPECT_THROW(file->write("node_stock", {0, kTimes}, std::vector<double>(kNodes)), OutputError);
  EXPECT_THROW(file->write("node_stock", {0, 0, 0, 0}, std::vector<double>(1)), OutputError);
  EXPECT_NO_THROW(file->write("node_stock", {1, 4}, std::vector<double>(kNodes)));
  EXPECT_NO_THROW(file->write("node_stock", {1, 4, 2}, std::vector<double>(1)));
}

TEST_F(OutputFileTest, ValuesReadBackExactly) {
  const fs::path path = dir_ / "run.h5";
  auto file = make_file(path);
  write_all(*file, /*replicates=*/1);
  file->commit();

  const h5::File in(h5::check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open"));
  const std::vector<double> border = read_doubles(in.get(), "border_encounters");
  const std::vector<double> nodes = read_doubles(in.get(), "node_stock");
  ASSERT_EQ(border.size(), kReplicates * kTimes);
  ASSERT_EQ(nodes.size(), kReplicates * kTimes * kNodes);
  for (std::size_t t = 0; t < kTimes; ++t) {
    EXPECT_EQ(border[t], encounters(0, t));
    EXPECT_TRUE(std::isnan(border[kTimes + t])) << "unwritten replicate must read as missing";
    for (std::size_t n = 0; n < kNodes; ++n) EXPECT_EQ(nodes[t * kNodes + n], stock(0, t, n));
  }
  EXPECT_EQ(read_doubles(in.get(), "time"), (std::vector<double>{0, 1, 2, 3, 4}));

  const h5::Dataset dataset(h5::check(H5Dopen2(in.get(), "node_stock", H5P_DEFAULT), "open"));
  const h5::PropertyList dcpl(h5::check(H5Dget_create_plist(dataset.get()), "dcpl"));
  hsize_t chunk[3] = {};
  ASSERT_EQ(H5Pget_chunk(dcpl.get(), 3, chunk), 3);
  EXPECT_EQ(chunk[0], 1u);
  EXPECT_EQ(chunk[1], kTimes);
  EXPECT_EQ(chunk[2], kNodes);
  EXPECT_EQ(H5Pget_nfilters(dcpl.get()), 2);
}

TEST_F(OutputFileTest, DimensionScalesAttached) {
  const fs::path path = dir_ / "run.h5";
  make_file(path)->commit();

  const h5::File in(h5::check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open"));
  const auto open = [&](const char* name) {
    return h5::Dataset(h5::check(H5Dopen2(in.get(), name, H5P_DEFAULT), name));
  };
  const h5::Dataset replicate = open("replicate");
  const h5::Dataset time = open("time");
  const h5::Dataset node = open("node");
  const h5::Dataset border = open("border_encounters");
  const h5::Dataset nodes = open("node_stock");
  for (const h5::Dataset* scale : {&replicate, &time, &node}) {
    EXPECT_GT(H5DSis_scale(scale->get()), 0);
  }
  EXPECT_GT(H5DSis_attached(border.get(), replicate.get(), 0), 0);
  EXPECT_GT(H5DSis_attached(border.get(), time.get(), 1), 0);
  EXPECT_GT(H5DSis_attached(nodes.get(), replicate.get(), 0), 0);
  EXPECT_GT(H5DSis_attached(nodes.get(), time.get(), 1), 0);
  EXPECT_GT(H5DSis_attached(nodes.get(), node.get(), 2), 0);
  EXPECT_EQ(H5DSis_attached(nodes.get(), node.get(), 1), 0);
  for (unsigned d = 0; d < 3; ++d) EXPECT_EQ(H5DSget_num_scales(nodes.get(), d), 1);
}

TEST_F(OutputFileTest, SameDataGivesIdenticalBytes) {
  const fs::path first = dir_ / "first.h5";
  const fs::path second = dir_ / "second.h5";
  auto a = make_file(first);
  write_all(*a);
  a->commit();
  // Timestamps in HDF5 object headers have one-second resolution; let the
  // clock move so a stray one would show.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto b = make_file(second);
  write_all(*b);
  b->commit();
  const std::string bytes = read_bytes(first);
  EXPECT_FALSE(bytes.empty());
  EXPECT_TRUE(bytes == read_bytes(second));
}

// migrasim.run's file (the Python module): the same layout kept in memory. It
// touches no disk, not even the directory it is named after, and its image is
// the file that would have been written, byte for byte.
TEST_F(OutputFileTest, InMemoryFileTouchesNoDiskAndItsImageIsTheFile) {
  const fs::path on_disk = dir_ / "run.h5";
  auto disk = make_file(on_disk);
  write_all(*disk);
  disk->commit();
  OutputOptions in_memory;
  in_memory.in_memory = true;
  OutputFile memory(dir_ / "missing_directory" / "run.h5", test_axes(), test_variables(),
                    test_root_attributes(), in_memory);
  write_all(memory);
  EXPECT_THROW(memory.commit(), OutputError);
  EXPECT_THROW(disk->image(), OutputError);
  const std::vector<unsigned char> image = memory.image();
  EXPECT_EQ(entries(), 1u);
  EXPECT_FALSE(fs::exists(dir_ / "missing_directory"));
  const std::string bytes = read_bytes(on_disk);
  ASSERT_EQ(image.size(), bytes.size());
  EXPECT_TRUE(std::equal(image.begin(), image.end(), bytes.begin(), [](unsigned char a, char b) {
    return a == static_cast<unsigned char>(b);
  }));
  EXPECT_THROW(memory.write("border_encounters", {0}, std::vector<double>(kTimes)), OutputError);
}

// The contract that matters downstream: xarray opens the file with no options,
// through netCDF-C and through h5py, with decoded time and str labels/attributes.
class OutputFileXarrayTest : public OutputFileTest,
                             public ::testing::WithParamInterface<const char*> {};

TEST_P(OutputFileXarrayTest, OpensWithEngine) {
  const std::string engine = GetParam();
  const std::string module = engine == "netcdf4" ? "netCDF4" : engine;
  const std::string probe = "/usr/bin/python3 -c 'import xarray, " + module + "' >/dev/null 2>&1";
  if (std::system(probe.c_str()) != 0) {
    GTEST_SKIP() << "/usr/bin/python3 cannot import xarray and " << module;
  }
  const fs::path path = dir_ / "run.h5";
  auto file = make_file(path);
  write_all(*file);
  file->commit();

  const fs::path script = dir_ / "check.py";
  std::ofstream(script) << R"(import sys
import numpy as np
import xarray as xr

path, engine = sys.argv[1:]
with xr.open_dataset(path, engine=engine) as ds:
    assert dict(ds.sizes) == {"replicate": 2, "time": 5, "node": 3}, ds.sizes
    assert ds.border_encounters.dims == ("replicate", "time")
    assert ds.node_stock.dims == ("replicate", "time", "node")
    labels = ds.node.values.tolist()
    assert labels == ["Aleppo", "İzmir", "Zürich"], labels
    assert all(type(label) is str for label in labels), labels
    days = np.arange("2021-01-01", "2021-01-06", dtype="datetime64[D]").astype("datetime64[ns]")
    assert ds.time.dtype == np.dtype("datetime64[ns]"), ds.time.dtype
    assert (ds.time.values == days).all(), ds.time.values
    assert ds.time.encoding["units"] == "days since 2021-01-01", ds.time.encoding
    assert ds.time.encoding["calendar"] == "proleptic_gregorian", ds.time.encoding
    for name, units, long_name in [
        ("replicate", "1", "replicate"),
        ("node", None, "node name"),
        ("border_encounters", "persons", "border encounters per day"),
        ("node_stock", "persons", "agents present at a node"),
    ]:
        attrs = ds[name].attrs
        assert attrs.get("units") == units, (name, attrs)
        assert type(attrs.get("units")) is type(units), (name, attrs)
        assert attrs["long_name"] == long_name, (name, attrs)
        assert type(attrs["long_name"]) is str, (name, attrs)
    assert ds.time.attrs["long_name"] == "time", ds.time.attrs
    assert ds.node_stock.attrs["cell_methods"] == "time: point", ds.node_stock.attrs
    assert ds.attrs["title"] == "migrasim test", ds.attrs
    assert type(ds.attrs["title"]) is str, ds.attrs
    assert ds.attrs["seed"] == -42 and ds.attrs["agents"] == 2**64 - 1, ds.attrs
    assert ds.attrs["dt"] == 0.25, ds.attrs
    r, t, n = np.meshgrid(np.arange(2), np.arange(5), np.arange(3), indexing="ij")
    expected = 10.0 * r[..., 0] + t[..., 0] + 0.1
    np.testing.assert_array_equal(ds.border_encounters.values, expected)
    np.testing.assert_array_equal(ds.node_stock.values, 100.0 * r + 10.0 * t + n + 0.1)
)";
  const fs::path log = dir_ / "check.log";
  const std::string command = "/usr/bin/python3 '" + script.string() + "' '" + path.string() +
                              "' " + engine + " >'" + log.string() + "' 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << read_bytes(log);
}

INSTANTIATE_TEST_SUITE_P(OutputFile, OutputFileXarrayTest, ::testing::Values("netcdf4", "h5netcdf"),
                         [](const auto& engine) { return std::string(engine.param); });

}  // namespace
}  // namespace migrasim
