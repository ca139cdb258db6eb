// Shared by the end-to-end tests that run the real executable (MIGRASIM_BINARY)
// through the shell: a temporary directory per test, commands with their
// output captured into files, and HDF5 datasets read back for comparison.
#pragma once

#include <hdf5.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace migrasim::testing {

namespace fs = std::filesystem;

inline const fs::path kSourceDir = MIGRASIM_SOURCE_DIR;
inline const fs::path kBinary = MIGRASIM_BINARY;

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "migrasim_cli_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    // A test may have made a subdirectory read-only; give permissions back first.
    for (auto it = fs::recursive_directory_iterator(path_, ignored);
         it != fs::recursive_directory_iterator(); it.increment(ignored)) {
      if (it->is_directory(ignored))
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ignored);
    }
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary);
  out << text;
}

inline std::string shell_quote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a command in `dir`; stdout and stderr go to files there (never to a pipe that could
// fill up), and the exit status is decoded. A signal death reads as 128 + signal, so a
// crash never passes for an expected exit code.
inline Result run_command(const std::string& program, const std::vector<std::string>& args,
                          const fs::path& dir) {
  const fs::path out = dir / ".stdout";
  const fs::path err = dir / ".stderr";
  // Appended piece by piece: GCC 12 gives a false -Wrestrict on chains of string '+'.
  std::string command = "cd ";
  command += shell_quote(dir.string());
  command += " && ";
  command += shell_quote(program);
  for (const auto& arg : args) {
    command += ' ';
    command += shell_quote(arg);
  }
  command += " >";
  command += shell_quote(out.string());
  command += " 2>";
  command += shell_quote(err.string());
  command += " </dev/null";
  const int status = std::system(command.c_str());
  Result result;
  if (status != -1 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (status != -1 && WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  result.out = read_text(out);
  result.err = read_text(err);
  fs::remove(out);
  fs::remove(err);
  return result;
}

inline Result run_migrasim(const std::vector<std::string>& args, const fs::path& dir) {
  return run_command(kBinary.string(), args, dir);
}

inline std::vector<std::string> directory_listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A small owner of an HDF5 identifier.
class Hid {
 public:
  Hid(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Hid() {
    if (id_ >= 0) close_(id_);
  }
  Hid(const Hid&) = delete;
  Hid& operator=(const Hid&) = delete;
  hid_t get() const { return id_; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// Every numeric dataset at the root of an HDF5 file, read as doubles. Attributes are left
// out on purpose: command_line differs between runs that must give the same data.
inline std::map<std::string, std::vector<double>> read_numeric_datasets(const fs::path& file) {
  std::map<std::string, std::vector<double>> data;
  const Hid f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (f.get() < 0) throw std::runtime_error("cannot open " + file.string());
  H5G_info_t info;
  if (H5Gget_info(f.get(), &info) < 0) throw std::runtime_error("cannot list " + file.string());
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t size =
        H5Lget_name_by_idx(f.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    std::string name(static_cast<std::size_t>(size), '\0');
    H5Lget_name_by_idx(f.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1,
                       H5P_DEFAULT);
    H5O_info_t object;
    if (H5Oget_info_by_name(f.get(), name.c_str(), &object, H5P_DEFAULT) < 0 ||
        object.type != H5O_TYPE_DATASET) {
      continue;
    }
    const Hid d(H5Dopen2(f.get(), name.c_str(), H5P_DEFAULT), H5Dclose);
    const Hid type(H5Dget_type(d.get()), H5Tclose);
    const H5T_class_t type_class = H5Tget_class(type.get());
    if (type_class != H5T_FLOAT && type_class != H5T_INTEGER) continue;
    const Hid space(H5Dget_space(d.get()), H5Sclose);
    std::vector<double> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
    if (H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
      throw std::runtime_error("cannot read " + name + " in " + file.string());
    }
    data[name] = std::move(values);
  }
  return data;
}

}  // namespace migrasim::testing
