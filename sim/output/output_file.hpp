// A netCDF-4 compatible HDF5 file of labelled arrays, written through the HDF5
// C API (see h5.hpp for the RAII handles).
//
// Why this shape: the file must open in xarray/netCDF4/h5netcdf with no options,
// so every dimension is a 1-D coordinate dataset made an HDF5 dimension scale,
// attached to every variable along that axis, and every variable carries CF
// `units` and `long_name`. Variables are written one slab at a time (one
// replicate, or one sweep member and replicate), fixed by their leading indices.
//
// Nothing is ever written under the requested name until commit(): data goes
// to a temporary file beside it, which commit() closes, fsyncs and renames into
// place. If the object is destroyed without commit(), the temporary is removed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace migrasim {

// A (name, value) attribute. Strings are stored as UTF-8 variable-length
// strings, numbers as scalars of the matching HDF5 type, a list of numbers as a
// 1-D float64 array (CF flag_values).
struct Attribute {
  std::string name;
  std::variant<std::string, std::int64_t, std::uint64_t, double, std::vector<double>> value;
};

// The root attributes every migrasim file starts with: CF conventions, the
// title, and what wrote it (migrasim's version, and SLEEF's, which the
// initial population's bits depend on).
std::vector<Attribute> provenance_attributes(const std::string& title);

// One dimension of the file and its coordinate variable.
// Exactly one of `values` (numeric coordinates) or `labels` (string
// coordinates, e.g. node names) is non-empty; the dimension's length is its size.
struct Axis {
  std::string name;
  std::string long_name;
  std::string units;  // empty for label axes
  std::vector<double> values;
  std::vector<std::string> labels;
  std::vector<Attribute> attributes;  // extra CF attributes, e.g. calendar
  std::size_t size() const { return labels.empty() ? values.size() : labels.size(); }
};

// One data variable: float64 over the named axes, in order.
struct Variable {
  std::string name;
  std::string long_name;
  std::string units;
  std::vector<std::string> dims;      // axis names, outermost first
  std::vector<Attribute> attributes;  // extra attributes, e.g. cell_methods
};

// How the file is written. By default: to a temporary with a random name beside
// the output, removed unless committed, with chunked and compressed variables.
struct OutputOptions {
  bool overwrite = false;
  // Resumable files (sweeps): moved to this fixed path by keep_as_partial(),
  // kept when the object is destroyed without commit() so a later run can
  // reopen it, and laid out
  // contiguously with every byte allocated up front. A write then changes raw
  // data only, never HDF5's metadata, so a file killed at any point still
  // opens, and its bytes do not depend on the order the slabs were written in.
  std::filesystem::path partial_path;
  // Kept in memory only (HDF5's core driver with no backing store): nothing
  // touches the disk, `final_path` only names the file in messages, and
  // image() returns the file's bytes. Such a file is never committed.
  bool in_memory = false;
};

class OutputFile {
 public:
  // Creates the temporary file and lays out every axis and variable.
  // Throws OutputError if `final_path` exists and !overwrite, if its directory
  // is missing or unwritable, or on any HDF5 failure.
  OutputFile(std::filesystem::path final_path, std::vector<Axis> axes,
             std::vector<Variable> variables, std::vector<Attribute> root_attributes,
             bool overwrite);
  OutputFile(std::filesystem::path final_path, std::vector<Axis> axes,
             std::vector<Variable> variables, std::vector<Attribute> root_attributes,
             const OutputOptions& options);

  // Reopens a partial file left by an earlier, interrupted writer, to write
  // the slabs it lacks and commit it under `final_path`.
  static OutputFile reopen(std::filesystem::path final_path, std::filesystem::path partial_path,
                           bool overwrite);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Writes one slab of `variable`: `leading` fixes the first leading.size()
  // dimensions; `values` fills the remaining ones in C order and must have
  // exactly their product of sizes.
  void write(const std::string& variable, std::initializer_list<std::size_t> leading,
             std::span<const double> values);

  // Every value of `variable`, in C order.
  std::vector<double> read(const std::string& variable) const;
  // One slab of `variable`, fixed by its leading indices as in write().
  std::vector<double> read(const std::string& variable,
                           std::initializer_list<std::size_t> leading) const;
  // A string attribute of the root group; empty if there is none.
  std::string root_string_attribute(const std::string& name) const;

  // Hands what was written so far to the operating system, so it survives the
  // process being killed (not a power cut: that is commit()'s fsync).
  void flush();

  // Closes every object, fsyncs the file and its directory, renames the
  // temporary to the final path. Nothing may be written afterwards.
  void commit();

  // For a file created in_memory, in place of commit(): closes every object
  // and returns the file's bytes (an HDF5 file image, for h5py or xarray; it
  // may end with free space that closing a file on disk would have trimmed).
  // Nothing may be written afterwards.
  std::vector<unsigned char> image();

  // A resumable file (OutputOptions::partial_path): once its layout is written,
  // moves it from its temporary name to the partial path and keeps it there
  // when the object is destroyed. Until then it is a temporary like any other,
  // so a partial file is never one whose layout was cut short.
  void keep_as_partial();

  const std::filesystem::path& temporary_path() const;
  const std::filesystem::path& final_path() const;

  OutputFile(OutputFile&& other) noexcept;

 private:
  struct Impl;
  explicit OutputFile(Impl* impl) : impl_(impl) {}
  Impl* impl_;
};

}  // namespace migrasim
