#include "output/output_file.hpp"

#include <fcntl.h>
#include <hdf5_hl.h>
#include <linux/limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "output/h5.hpp"
#include "util/errors.hpp"
#include "util/safe_file.hpp"
#include "util/version.hpp"

namespace migrasim {
namespace {

namespace fs = std::filesystem;

// Chunks stay well under HDF5's default 1 MiB chunk cache: a chunk larger than
// the cache bypasses it and makes every partial write a read-modify-write.
constexpr hsize_t kMaxChunkElements = 512 * 1024 / sizeof(double);
constexpr std::size_t kCacheBytes = 8 * kMaxChunkElements * sizeof(double);
constexpr std::size_t kCacheSlots = 1021;  // prime, as HDF5 advises for its hash
constexpr unsigned kDeflateLevel = 4;
constexpr double kFill = std::numeric_limits<double>::quiet_NaN();

// Appends rather than `"'" + path.string()`, which trips GCC 12's false
// -Wrestrict positive (GCC bug 105651) at -O2 and above.
std::string quoted(const fs::path& path) {
  std::string text(1, '\'');
  text += path.string();
  text += '\'';
  return text;
}

fs::path directory_of(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

std::string errno_message(int err) { return std::generic_category().message(err); }

void fsync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) {
    throw OutputError("cannot open " + quoted(path) + " to sync it: " + errno_message(errno));
  }
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw OutputError("cannot sync " + quoted(path) + ": " + errno_message(err));
}

void check_name(const std::string& name, const char* kind) {
  if (name.empty() || name.find('/') != std::string::npos || name == ".") {
    throw OutputError(std::string(kind) + " name '" + name + "' is not a valid HDF5 name");
  }
}

void put_attribute(hid_t object, const Attribute& attribute, const std::string& owner) {
  const std::string what = "writing attribute '" + attribute.name + "' of " + owner;
  const auto put_shaped = [&](hid_t space, hid_t file_type, hid_t memory_type, const void* value) {
    const h5::Attribute handle(h5::check(
        H5Acreate2(object, attribute.name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT),
        what));
    h5::check(H5Awrite(handle.get(), memory_type, value), what);
  };
  const auto put = [&](hid_t file_type, hid_t memory_type, const void* value) {
    const h5::Dataspace scalar(h5::check(H5Screate(H5S_SCALAR), what));
    put_shaped(scalar.get(), file_type, memory_type, value);
  };
  std::visit(
      [&](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          const h5::Datatype type = h5::vlen_utf8_string();
          const char* text = value.c_str();
          put(type.get(), type.get(), &text);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          put(H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
        } else if constexpr (std::is_same_v<T, std::uint64_t>) {
          put(H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
          const hsize_t size = value.size();
          const h5::Dataspace space(h5::check(H5Screate_simple(1, &size, nullptr), what));
          put_shaped(space.get(), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, value.data());
        } else {
          put(H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
        }
      },
      attribute.value);
}

// An empty units string is not a valid unit (label axes have none), so it is
// left out rather than written empty.
void put_cf_attributes(hid_t object, const std::string& long_name, const std::string& units,
                       const std::vector<Attribute>& extra, const std::string& owner) {
  put_attribute(object, {"long_name", long_name}, owner);
  if (!units.empty()) put_attribute(object, {"units", units}, owner);
  for (const Attribute& attribute : extra) put_attribute(object, attribute, owner);
}

// Dataset creation properties shared by coordinates and variables: attribute
// creation order as netCDF-4 tracks it, and no timestamps so that the same data
// gives a byte-identical file.
h5::PropertyList dataset_creation(const std::string& owner) {
  const std::string what = "setting creation properties of " + owner;
  h5::PropertyList dcpl(h5::check(H5Pcreate(H5P_DATASET_CREATE), what));
  h5::check(H5Pset_attr_creation_order(dcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
            what);
  h5::check(H5Pset_obj_track_times(dcpl.get(), false), what);
  return dcpl;
}

// Writes fix every dimension before time (replicate, sweep member), so those get
// chunk 1; dimensions after time are kept whole and time takes what is left of
// the chunk budget. Time is the CF time axis ("<unit> since <date>"), else the
// second-to-last dimension (the only one of a 1-D variable).
std::vector<hsize_t> chunk_shape(const std::vector<hsize_t>& dims, std::size_t time_dim) {
  std::vector<hsize_t> chunk(dims.size(), 1);
  hsize_t room = kMaxChunkElements;
  for (std::size_t i = dims.size(); i-- > time_dim;) {
    chunk[i] = std::clamp<hsize_t>(room, 1, dims[i]);
    room /= chunk[i];
  }
  return chunk;
}

}  // namespace

std::vector<Attribute> provenance_attributes(const std::string& title) {
  return {
      {"Conventions", std::string("CF-1.8")},          {"title", title},
      {"source", std::string("migrasim ") + kVersion}, {"migrasim_version", std::string(kVersion)},
      {"sleef_version", std::string(kSleefVersion)},
  };
}

struct OutputFile::Impl {
  struct Slot {
    std::vector<std::string> dim_names;
    std::vector<hsize_t> dims;
    h5::Dataset dataset;
  };

  fs::path final_path;
  fs::path temporary_path;
  fs::path partial_path;  // resumable files: the name the layout is kept under
  bool overwrite = false;
  bool created = false;       // the temporary exists and is ours to remove or rename
  bool keep_partial = false;  // a resumable file: closed, not removed, if not committed
  bool contiguous = false;    // contiguous, allocated up front (see OutputOptions)
  bool open = false;          // accepting writes: laid out and not yet committed
  bool in_memory = false;     // see OutputOptions: image(), never commit()
  // Declared before the datasets so that member destruction closes them first.
  h5::File file;
  std::vector<h5::Dataset> coordinates;
  std::map<std::string, Slot, std::less<>> variables;

  ~Impl() {
    if (!created) return;
    close_all();
    if (keep_partial) return;
    std::error_code ignored;
    fs::remove(temporary_path, ignored);
  }

  // The variable called `name`; in a reopened file, its dataset is opened on
  // first use.
  Slot& slot(const std::string& name) {
    if (const auto found = variables.find(name); found != variables.end()) return found->second;
    h5::silence_errors();
    if (!file || H5Lexists(file.get(), name.c_str(), H5P_DEFAULT) <= 0) {
      throw OutputError("no output variable named '" + name + "'");
    }
    const std::string what = "opening '" + name + "' in " + quoted(temporary_path);
    Slot opened;
    opened.dataset = h5::Dataset(h5::check(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT), what));
    const h5::Dataspace space(h5::check(H5Dget_space(opened.dataset.get()), what));
    const int rank = h5::check(H5Sget_simple_extent_ndims(space.get()), what);
    opened.dims.resize(static_cast<std::size_t>(rank));
    h5::check(H5Sget_simple_extent_dims(space.get(), opened.dims.data(), nullptr), what);
    for (int d = 0; d < rank; ++d) opened.dim_names.push_back("dimension " + std::to_string(d));
    return variables.emplace(name, std::move(opened)).first->second;
  }

  void close_all() noexcept {
    for (auto& [name, slot] : variables) slot.dataset.reset();
    for (h5::Dataset& coordinate : coordinates) coordinate.reset();
    file.reset();
  }

  void check_paths() const {
    if (!final_path.has_filename()) {
      throw OutputError("output path " + quoted(final_path) + " does not name a file");
    }
    if (final_path.filename().string().size() > NAME_MAX) {
      throw OutputError("output name " + quoted(final_path.filename()) + " is longer than " +
                        std::to_string(NAME_MAX) + " bytes, the most a file name may have");
    }
    const fs::path directory = directory_of(final_path);
    std::error_code error;
    if (!fs::is_directory(directory, error)) {
      throw OutputError("output directory " + quoted(directory) + " does not exist");
    }
    if (::access(directory.c_str(), W_OK | X_OK) != 0) {
      throw OutputError("output directory " + quoted(directory) + " is not writable");
    }
    if (fs::is_directory(final_path, error)) {
      throw OutputError("output path " + quoted(final_path) + " is a directory");
    }
    if (!overwrite && fs::exists(fs::symlink_status(final_path, error))) {
      throw OutputError("output file " + quoted(final_path) +
                        " already exists; refusing to overwrite it");
    }
    // --force replaces a regular file, never a device, a FIFO or a link.
    check_replaceable(final_path, "output path");
  }

  // A temporary in the target's directory (so the rename stays on one file
  // system) under a fresh random name, created exclusively: H5F_ACC_EXCL is
  // open(O_CREAT | O_EXCL), which fails on any existing name, a planted link
  // included, rather than write through it.
  void create_temporary(const fs::path& target) {
    constexpr int kAttempts = 16;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      temporary_path = temporary_name_beside(target);
      try {
        create_file();
        return;
      } catch (const OutputError&) {
        struct stat info {};
        // Taken (a collision, or a name planted in advance): draw another.
        if (::lstat(temporary_path.c_str(), &info) == 0) continue;
        // HDF5's message is its own; the system's reason is clearer.
        const int fd = ::open(temporary_path.c_str(),
                              O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
          throw OutputError("cannot create " + quoted(temporary_path) + ": " +
                            errno_message(errno));
        }
        ::close(fd);
        ::unlink(temporary_path.c_str());
        throw;
      }
    }
    throw OutputError("cannot create a temporary file beside " + quoted(target) + " after " +
                      std::to_string(kAttempts) + " attempts: every name drawn was taken");
  }

  void create_file() {
    const std::string what = "creating " + quoted(temporary_path);
    const h5::PropertyList fcpl(h5::check(H5Pcreate(H5P_FILE_CREATE), what));
    constexpr unsigned kOrder = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
    h5::check(H5Pset_link_creation_order(fcpl.get(), kOrder), what);
    h5::check(H5Pset_attr_creation_order(fcpl.get(), kOrder), what);
    // The root group is created from the fcpl and would otherwise carry times.
    h5::check(H5Pset_obj_track_times(fcpl.get(), false), what);
    const h5::PropertyList fapl(h5::check(H5Pcreate(H5P_FILE_ACCESS), what));
    // Makes H5Fclose fail rather than linger while a dataset is still open, so
    // commit() cannot fsync and rename a file HDF5 has not finished writing.
    h5::check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), what);
    // In memory: grown 1 MiB at a time, never written back (backing store off).
    if (in_memory) h5::check(H5Pset_fapl_core(fapl.get(), std::size_t{1} << 20, false), what);
    file = h5::File(
        h5::check(H5Fcreate(temporary_path.c_str(), in_memory ? H5F_ACC_TRUNC : H5F_ACC_EXCL,
                            fcpl.get(), fapl.get()),
                  what));
    // Nothing on disk to remove or rename.
    created = !in_memory;
  }

  void add_axis(const Axis& axis) {
    const std::string owner = "axis '" + axis.name + "'";
    const std::string what = "creating " + owner;
    const hsize_t size = axis.size();
    const h5::Dataspace space(h5::check(H5Screate_simple(1, &size, nullptr), what));
    const h5::PropertyList dcpl = dataset_creation(owner);
    const bool labelled = !axis.labels.empty();
    const h5::Datatype string_type = labelled ? h5::vlen_utf8_string() : h5::Datatype();
    const hid_t file_type = labelled ? string_type.get() : H5T_IEEE_F64LE;
    h5::Dataset dataset(h5::check(H5Dcreate2(file.get(), axis.name.c_str(), file_type, space.get(),
                                             H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                                  what));
    if (labelled) {
      std::vector<const char*> labels;
      labels.reserve(axis.labels.size());
      for (const std::string& label : axis.labels) labels.push_back(label.c_str());
      h5::check(
          H5Dwrite(dataset.get(), string_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, labels.data()),
          "writing the labels of " + owner);
    } else {
      h5::check(H5Dwrite(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                         axis.values.data()),
                "writing the values of " + owner);
    }
    h5::check(H5DSset_scale(dataset.get(), axis.name.c_str()),
              "making " + owner + " a dimension scale");
    put_cf_attributes(dataset.get(), axis.long_name, axis.units, axis.attributes, owner);
    coordinates.push_back(std::move(dataset));
  }

  void add_variable(const Variable& variable, const std::vector<Axis>& axes) {
    const std::string owner = "variable '" + variable.name + "'";
    const std::string what = "creating " + owner;
    Slot slot;
    slot.dim_names = variable.dims;
    std::vector<hid_t> scales;
    std::size_t time_dim = variable.dims.size() >= 2 ? variable.dims.size() - 2 : 0;
    bool time_found = false;
    for (std::size_t d = 0; d < variable.dims.size(); ++d) {
      const auto axis = std::find_if(axes.begin(), axes.end(),
                                     [&](const Axis& a) { return a.name == variable.dims[d]; });
      slot.dims.push_back(axis->size());
      scales.push_back(coordinates[static_cast<std::size_t>(axis - axes.begin())].get());
      if (!time_found && axis->units.find(" since ") != std::string::npos) {
        time_dim = d;
        time_found = true;
      }
    }
    const auto rank = static_cast<int>(slot.dims.size());
    const h5::Dataspace space(h5::check(H5Screate_simple(rank, slot.dims.data(), nullptr), what));
    const h5::PropertyList dcpl = dataset_creation(owner);
    if (contiguous) {
      h5::check(H5Pset_layout(dcpl.get(), H5D_CONTIGUOUS), what);
      h5::check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), what);
    } else {
      const std::vector<hsize_t> chunk = chunk_shape(slot.dims, time_dim);
      h5::check(H5Pset_chunk(dcpl.get(), rank, chunk.data()), what);
      h5::check(H5Pset_shuffle(dcpl.get()), what);
      h5::check(H5Pset_deflate(dcpl.get(), kDeflateLevel), what);
    }
    h5::check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &kFill), what);
    // HDF5's 1 MiB default already holds two full-size chunks; eight give
    // headroom to writers that fix more dimensions than the chunking assumes
    // (one time step at a time), whose partial chunks must stay cached or be
    // recompressed. w0 stays at HDF5's 0.75: 1.0 measured ~30% slower.
    const h5::PropertyList dapl(h5::check(H5Pcreate(H5P_DATASET_ACCESS), what));
    h5::check(H5Pset_chunk_cache(dapl.get(), kCacheSlots, kCacheBytes, 0.75), what);
    slot.dataset =
        h5::Dataset(h5::check(H5Dcreate2(file.get(), variable.name.c_str(), H5T_IEEE_F64LE,
                                         space.get(), H5P_DEFAULT, dcpl.get(), dapl.get()),
                              what));
    for (std::size_t d = 0; d < scales.size(); ++d) {
      h5::check(H5DSattach_scale(slot.dataset.get(), scales[d], static_cast<unsigned>(d)),
                "attaching axis '" + variable.dims[d] + "' to " + owner);
    }
    put_attribute(slot.dataset.get(), {"_FillValue", kFill}, owner);
    put_cf_attributes(slot.dataset.get(), variable.long_name, variable.units, variable.attributes,
                      owner);
    variables.emplace(variable.name, std::move(slot));
  }
};

namespace {

void validate_layout(const std::vector<Axis>& axes, const std::vector<Variable>& variables) {
  std::set<std::string, std::less<>> names;
  for (const Axis& axis : axes) {
    check_name(axis.name, "axis");
    if (!names.insert(axis.name).second) throw OutputError("duplicate axis '" + axis.name + "'");
    if (!axis.values.empty() && !axis.labels.empty()) {
      throw OutputError("axis '" + axis.name + "' has both values and labels");
    }
    if (axis.size() == 0) throw OutputError("axis '" + axis.name + "' is empty");
  }
  for (const Variable& variable : variables) {
    check_name(variable.name, "variable");
    if (!names.insert(variable.name).second) {
      throw OutputError("variable '" + variable.name + "' reuses the name of an axis or variable");
    }
    if (variable.dims.empty()) {
      throw OutputError("variable '" + variable.name + "' has no dimensions");
    }
    for (const std::string& dim : variable.dims) {
      if (std::none_of(axes.begin(), axes.end(), [&](const Axis& a) { return a.name == dim; })) {
        throw OutputError("variable '" + variable.name + "' uses unknown axis '" + dim + "'");
      }
    }
  }
}

}  // namespace

OutputFile::OutputFile(std::filesystem::path final_path, std::vector<Axis> axes,
                       std::vector<Variable> variables, std::vector<Attribute> root_attributes,
                       bool overwrite)
    : OutputFile(std::move(final_path), std::move(axes), std::move(variables),
                 std::move(root_attributes), OutputOptions{overwrite, {}}) {}

OutputFile::OutputFile(std::filesystem::path final_path, std::vector<Axis> axes,
                       std::vector<Variable> variables, std::vector<Attribute> root_attributes,
                       const OutputOptions& options) {
  h5::silence_errors();
  auto impl = std::make_unique<Impl>();
  impl->final_path = std::move(final_path);
  impl->overwrite = options.overwrite;
  if (!options.in_memory) impl->check_paths();
  validate_layout(axes, variables);
  impl->in_memory = options.in_memory;
  impl->contiguous = !options.partial_path.empty();
  impl->partial_path = options.partial_path;
  try {
    if (impl->in_memory) {
      impl->temporary_path = impl->final_path;  // a name only: nothing touches the disk
      impl->create_file();
    } else {
      impl->create_temporary(impl->final_path);
    }
    for (const Attribute& attribute : root_attributes) {
      put_attribute(impl->file.get(), attribute, "the root group");
    }
    for (const Axis& axis : axes) impl->add_axis(axis);
    for (const Variable& variable : variables) impl->add_variable(variable, axes);
  } catch (const OutputError& error) {
    throw OutputError(quoted(impl->final_path) + ": " + error.what());
  }
  impl->open = true;
  impl_ = impl.release();
}

void OutputFile::keep_as_partial() {
  h5::silence_errors();
  Impl& impl = *impl_;
  const std::string what = "cannot keep " + quoted(impl.partial_path);
  if (impl.partial_path.empty() || impl.keep_partial) return;
  h5::check(H5Fflush(impl.file.get(), H5F_SCOPE_GLOBAL), what);
  check_replaceable(impl.partial_path, "partial file");
  // The layout is complete: only now may it be found under the partial name,
  // so that a run killed while laying out leaves nothing --resume would trip on.
  if (const int err = rename_file(impl.temporary_path, impl.partial_path, impl.overwrite)) {
    throw OutputError(what + ": " +
                      (err == EEXIST ? std::string("it appeared meanwhile") : errno_message(err)));
  }
  impl.temporary_path = impl.partial_path;
  impl.keep_partial = true;
}

OutputFile OutputFile::reopen(std::filesystem::path final_path, std::filesystem::path partial_path,
                              bool overwrite) {
  h5::silence_errors();
  auto impl = std::make_unique<Impl>();
  impl->final_path = std::move(final_path);
  impl->temporary_path = std::move(partial_path);
  impl->overwrite = overwrite;
  impl->contiguous = true;
  impl->check_paths();
  const std::string what = "cannot reopen " + quoted(impl->temporary_path);
  // Never written through a link or into a device planted under the partial name.
  struct stat before {};
  if (::lstat(impl->temporary_path.c_str(), &before) != 0 || !S_ISREG(before.st_mode)) {
    throw OutputError(what + ": it is " + describe_file_type(before.st_mode) +
                      ", not a regular file (delete it, or pass --force to start over)");
  }
  const h5::PropertyList fapl(h5::check(H5Pcreate(H5P_FILE_ACCESS), what));
  h5::check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), what);
  const hid_t id = H5Fopen(impl->temporary_path.c_str(), H5F_ACC_RDWR, fapl.get());
  if (id < 0) {
    throw OutputError(
        what + ": it is not a readable HDF5 file (delete it, or pass --force to start over)");
  }
  impl->file = h5::File(id);
  // HDF5 opened the path again: make sure it opened the file just checked.
  void* handle = nullptr;
  struct stat opened {};
  if (H5Fget_vfd_handle(id, fapl.get(), &handle) < 0 || handle == nullptr ||
      ::fstat(*static_cast<int*>(handle), &opened) != 0 || opened.st_dev != before.st_dev ||
      opened.st_ino != before.st_ino) {
    throw OutputError(what + ": it was replaced while being opened");
  }
  impl->created = true;
  impl->keep_partial = true;
  impl->open = true;
  return OutputFile(impl.release());
}

OutputFile::OutputFile(OutputFile&& other) noexcept : impl_(std::exchange(other.impl_, nullptr)) {}

OutputFile::~OutputFile() { delete impl_; }

std::vector<double> OutputFile::read(const std::string& variable) const {
  h5::silence_errors();
  Impl::Slot& slot = impl_->slot(variable);
  hsize_t count = 1;
  for (const hsize_t n : slot.dims) count *= n;
  std::vector<double> values(count);
  h5::check(
      H5Dread(slot.dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
      "cannot read '" + variable + "' from " + quoted(impl_->temporary_path));
  return values;
}

std::string OutputFile::root_string_attribute(const std::string& name) const {
  h5::silence_errors();
  const hid_t file = impl_->file.get();
  if (H5Aexists(file, name.c_str()) <= 0) return {};
  const std::string what =
      "cannot read attribute '" + name + "' of " + quoted(impl_->temporary_path);
  const h5::Attribute attribute(h5::check(H5Aopen(file, name.c_str(), H5P_DEFAULT), what));
  const h5::Datatype type = h5::vlen_utf8_string();
  char* text = nullptr;
  h5::check(H5Aread(attribute.get(), type.get(), &text), what);
  std::string value = text ? text : "";
  H5free_memory(text);
  return value;
}

void OutputFile::flush() {
  h5::silence_errors();
  h5::check(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL),
            "cannot flush " + quoted(impl_->temporary_path));
}

namespace {

// The file's selection of the slab fixed by `leading` (see write()), and its size.
hsize_t select_slab(hid_t space, const std::string& what, const std::vector<hsize_t>& dims,
                    const std::vector<std::string>& dim_names,
                    std::initializer_list<std::size_t> leading) {
  if (leading.size() > dims.size()) {
    throw OutputError(what + ": " + std::to_string(leading.size()) + " leading indices for " +
                      std::to_string(dims.size()) + " dimensions");
  }
  std::vector<hsize_t> start(dims.size(), 0);
  std::vector<hsize_t> count = dims;
  std::size_t d = 0;
  for (const std::size_t index : leading) {
    if (index >= dims[d]) {
      throw OutputError(what + ": index " + std::to_string(index) + " is out of range for '" +
                        dim_names[d] + "' of size " + std::to_string(dims[d]));
    }
    start[d] = index;
    count[d] = 1;
    ++d;
  }
  hsize_t size = 1;
  for (const hsize_t n : count) size *= n;
  h5::check(
      H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
      what);
  return size;
}

}  // namespace

std::vector<double> OutputFile::read(const std::string& variable,
                                     std::initializer_list<std::size_t> leading) const {
  h5::silence_errors();
  const std::string what = "cannot read '" + variable + "' from " + quoted(impl_->temporary_path);
  Impl::Slot& slot = impl_->slot(variable);
  const h5::Dataspace file_space(h5::check(H5Dget_space(slot.dataset.get()), what));
  const hsize_t size = select_slab(file_space.get(), what, slot.dims, slot.dim_names, leading);
  std::vector<double> values(size);
  const h5::Dataspace memory_space(h5::check(H5Screate_simple(1, &size, nullptr), what));
  h5::check(H5Dread(slot.dataset.get(), H5T_NATIVE_DOUBLE, memory_space.get(), file_space.get(),
                    H5P_DEFAULT, values.data()),
            what);
  return values;
}

void OutputFile::write(const std::string& variable, std::initializer_list<std::size_t> leading,
                       std::span<const double> values) {
  h5::silence_errors();
  const std::string what = "cannot write '" + variable + "' to " + quoted(impl_->final_path);
  if (!impl_->open) throw OutputError(what + ": the file is already committed");
  Impl::Slot& slot = impl_->slot(variable);
  const h5::Dataspace file_space(h5::check(H5Dget_space(slot.dataset.get()), what));
  const hsize_t expected = select_slab(file_space.get(), what, slot.dims, slot.dim_names, leading);
  if (values.size() != expected) {
    throw OutputError(what + ": got " + std::to_string(values.size()) + " values, expected " +
                      std::to_string(expected));
  }
  const h5::Dataspace memory_space(h5::check(H5Screate_simple(1, &expected, nullptr), what));
  h5::check(H5Dwrite(slot.dataset.get(), H5T_NATIVE_DOUBLE, memory_space.get(), file_space.get(),
                     H5P_DEFAULT, values.data()),
            what);
}

void OutputFile::commit() {
  h5::silence_errors();
  Impl& impl = *impl_;
  const std::string what = "cannot commit " + quoted(impl.final_path);
  if (!impl.open) throw OutputError(what + ": already committed");
  if (impl.in_memory) throw OutputError(what + ": it is kept in memory (take its image)");
  impl.open = false;
  for (auto& [name, slot] : impl.variables) {
    h5::check(slot.dataset.close(), what + ": closing '" + name + "'");
  }
  for (h5::Dataset& coordinate : impl.coordinates) h5::check(coordinate.close(), what);
  h5::check(impl.file.close(), what + ": closing " + quoted(impl.temporary_path));
  fsync_path(impl.temporary_path, O_RDONLY);
  // The checks in the constructor are long past: what appeared at the final
  // path since is not clobbered (atomically, where the file system allows), and
  // only a regular file is replaced.
  check_replaceable(impl.final_path, "output path");
  if (const int err = rename_file(impl.temporary_path, impl.final_path, impl.overwrite)) {
    throw OutputError(what + ": " +
                      (err == EEXIST ? std::string("the file appeared meanwhile; refusing to "
                                                   "overwrite it")
                                     : errno_message(err)));
  }
  impl.created = false;
  // Syncing the directory after the rename is what makes the new name durable.
  fsync_path(directory_of(impl.final_path), O_RDONLY | O_DIRECTORY);
}

std::vector<unsigned char> OutputFile::image() {
  h5::silence_errors();
  Impl& impl = *impl_;
  const std::string what = "cannot take the image of " + quoted(impl.final_path);
  if (!impl.in_memory) throw OutputError(what + ": it is not kept in memory");
  if (!impl.open) throw OutputError(what + ": already committed or imaged");
  impl.open = false;
  // An object still open keeps part of its header in HDF5's cache, not in the
  // image; closed, everything but the file itself is written out.
  for (auto& [name, slot] : impl.variables) {
    h5::check(slot.dataset.close(), what + ": closing '" + name + "'");
  }
  for (h5::Dataset& coordinate : impl.coordinates) h5::check(coordinate.close(), what);
  h5::check(H5Fflush(impl.file.get(), H5F_SCOPE_GLOBAL), what);
  // A null buffer asks for the size.
  const ssize_t size = H5Fget_file_image(impl.file.get(), nullptr, 0);
  if (size < 0) h5::check(static_cast<herr_t>(-1), what);
  std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
  if (H5Fget_file_image(impl.file.get(), bytes.data(), bytes.size()) != size) {
    h5::check(static_cast<herr_t>(-1), what);
  }
  return bytes;
}

const std::filesystem::path& OutputFile::temporary_path() const { return impl_->temporary_path; }

const std::filesystem::path& OutputFile::final_path() const { return impl_->final_path; }

}  // namespace migrasim
