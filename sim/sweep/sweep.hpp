// Running a sweep: every member of the design is the base scenario with the
// member's parameter values set, run for the sweep's replicates under the
// member's own seed; only the outputs the sweep keeps are stored, one slab per
// member, in one netCDF-4 file with a `member` dimension.
//
// The file is written as OUT.h5.partial and renamed to OUT.h5 when every
// member has been run. Each member's slab is flushed as it finishes, so a sweep
// that is stopped (a signal, a killed job) keeps its finished members, and
// `--resume` runs only the members the partial file lacks. Members do not
// depend on which process or thread ran them, nor in what order, so a resumed
// sweep equals one run straight through.
//
// Over a posterior (`sweep --posterior`), every replicate of every member
// also takes the values of one row of a table (a particle), drawn from the
// member's seed and the replicate as `run --posterior` draws it; the file
// records each replicate's row and values.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/invariants.hpp"
#include "engine/simulation.hpp"
#include "input/composition.hpp"
#include "input/sweep_spec.hpp"
#include "model/model.hpp"
#include "model/series_at.hpp"
#include "output/output_file.hpp"
#include "sweep/sweep_design.hpp"
#include "util/side_by_side.hpp"

namespace migrasim {

// Parameters drawn anew for each replicate from the rows of a table: a
// posterior's particles (calibrate/posterior_run.hpp builds one). Replicate r
// of a member with seed s takes row(s, r), the row `run --posterior --seed s`
// gives replicate r, so a member rerun alone draws the same values and members
// that share a seed (seeds: common) share their rows.
struct ReplicateParameters {
  std::string file;                    // where the rows come from, for the file's attributes
  std::string fingerprint;             // identifies names, keys, rows and weights (for --resume)
  std::vector<std::string> names;      // parameter names
  std::vector<std::string> key_paths;  // their scenario keys
  std::vector<double> values;          // rows x names.size()
  std::function<std::uint32_t(std::uint64_t seed, std::uint32_t replicate)> row;
  std::function<std::vector<std::string>(std::uint32_t row)> overrides;  // "key=value"
};

// What one member produced.
struct MemberResult {
  std::uint32_t member = 0;
  bool ok = false;
  std::string error;           // why it failed, when !ok
  std::vector<double> values;  // per kept output: replicates x kept steps (1 if reduced)
  double seconds = 0.0;
};

// A sweep ready to run: the sweep file, its members, the base scenario read
// once, and the kept outputs' steps. Every process of an MPI run builds the
// same one from the same files.
class Sweep {
 public:
  // Reads the scenario and checks that every parameter's key exists and takes
  // the extremes of its values, and that every output window has steps.
  // Throws InputError naming the sweep file's line. With `per_replicate`,
  // also that no swept or set key is one of its keys, and that the scenario
  // accepts the first replicate's row.
  explicit Sweep(SweepSpec spec, std::optional<ReplicateParameters> per_replicate = std::nullopt);

  const SweepSpec& spec() const { return spec_; }
  // The sweep file and every scenario file it reads (the scenario, what it extends).
  std::vector<std::string> input_files() const {
    std::vector<std::string> files{spec_.file};
    for (const auto& [path, text] : base_.files) files.push_back(path);
    return files;
  }
  const SweepPlan& plan() const { return plan_; }
  std::uint32_t members() const { return plan_.members; }
  // The scenario with only the sweep's fixed `set` overrides.
  const Model& reference() const { return reference_; }
  // Steps of the time axis shared by outputs kept step by step (reduce: none).
  const std::vector<std::int32_t>& kept_steps() const { return kept_steps_; }
  // Each output's series, at its place (spec().outputs, in order).
  const std::vector<SeriesAt>& sources() const { return sources_; }
  std::size_t values_per_member() const { return values_per_member_; }
  const std::optional<ReplicateParameters>& per_replicate() const { return per_replicate_; }
  // The row replicate `replicate` of member `member` runs with (per_replicate only).
  std::uint32_t replicate_row(std::uint32_t member, std::uint32_t replicate) const {
    return per_replicate_->row(plan_.seeds[member], replicate);
  }

  struct Hooks {
    InvariantChecks check_invariants = InvariantChecks::kOff;  // as `run --check`
    std::function<void()> poll;  // after every stage (e.g. answering MPI workers)
    // Held while a member's scenario is composed and compiled, when members
    // run side by side: that reads the base scenario's shared YAML trees.
    std::mutex* compile_lock = nullptr;
  };

  // Runs member `member`; a scenario the member's values make invalid, or any
  // other failure inside it, gives a failed result rather than an exception.
  // Interrupted passes through.
  MemberResult run_member(std::uint32_t member, const Hooks& hooks) const;
  MemberResult run_member(std::uint32_t member) const { return run_member(member, Hooks{}); }

 private:
  void refuse_keys_set_twice() const;
  void refuse_keys_of_the_posterior() const;
  Model member_model(std::uint32_t member, std::uint32_t replicate) const;
  std::vector<std::int32_t> window_steps(const SweepOutput& output, const Model& model) const;

  SweepSpec spec_;
  std::optional<ReplicateParameters> per_replicate_;
  SweepPlan plan_;
  ComposedDocument base_;
  Model reference_;
  std::vector<std::int32_t> kept_steps_;
  std::vector<SeriesAt> sources_;
  std::size_t values_per_member_ = 0;
};

struct SweepOptions {
  int threads = 0;  // per process; 0: OpenMP's default
  // Members side by side, one per thread, or one at a time across the threads
  // (util/side_by_side.hpp); the file is the same either way.
  Parallelism parallelism = Parallelism::kAuto;
  bool overwrite = false;
  bool resume = false;
  bool progress = false;  // a live line on a terminal, else a line every 30 s
  bool quiet = false;
  InvariantChecks check_invariants = InvariantChecks::kOff;
  std::string command_line;
};

// The sweep's output file while members are written into it.
class SweepFile {
 public:
  // Creates OUT.partial, or with options.resume reopens it if it exists and
  // was written for the same sweep file and scenario. Refuses an existing
  // partial file without --resume or --force.
  SweepFile(const Sweep& sweep, const std::filesystem::path& output, const SweepOptions& options);

  static std::filesystem::path partial_path(const std::filesystem::path& output);

  // 0 not run, 1 finished, 2 failed; per member.
  const std::vector<std::uint8_t>& status() const { return status_; }
  // Members still to run (not finished), in order.
  std::vector<std::uint32_t> pending() const;
  void write(const MemberResult& result);
  void commit();

  // Found by --resume: finished members whose outputs failed their checksum
  // (now pending again), and layout columns found damaged and rewritten.
  std::uint32_t damaged_members() const { return damaged_; }
  std::uint32_t repaired_columns() const { return repaired_columns_; }

  static constexpr std::uint8_t kNotRun = 0, kFinished = 1, kFailed = 2;

 private:
  // The columns the plan determines (parameter values, member_seed), by variable.
  std::vector<std::pair<std::string, std::vector<double>>> layout_columns() const;
  std::vector<std::vector<double>> read_member(std::uint32_t member) const;
  void verify_resumed();

  const Sweep& sweep_;
  std::optional<OutputFile> file_;
  std::vector<std::uint8_t> status_;
  std::uint32_t damaged_ = 0;
  std::uint32_t repaired_columns_ = 0;
};

struct SweepSummary {
  std::uint32_t members = 0;
  std::uint32_t already_done = 0;  // found finished in a resumed partial file
  std::uint32_t damaged = 0;       // found finished but failing their checksum: run again
  std::uint32_t ran = 0;
  std::vector<std::pair<std::uint32_t, std::string>> failures;
  double seconds = 0.0;
};

// Progress of a sweep on one process: a redrawn line on a terminal, a log line
// every 30 s otherwise (or none when quiet).
class SweepProgress {
 public:
  SweepProgress(const SweepOptions& options, std::uint32_t to_run);
  void member_done(const MemberResult& result);
  void finish();

 private:
  bool live_, log_;
  std::uint32_t to_run_, done_ = 0, failed_ = 0;
  std::chrono::steady_clock::time_point start_, last_;
};

// Runs every member the file lacks on this process, then commits the file.
SweepSummary run_sweep(const Sweep& sweep, const std::filesystem::path& output,
                       const SweepOptions& options);

std::string format_sweep_summary(const Sweep& sweep, const SweepSummary& summary,
                                 const std::filesystem::path& output);

}  // namespace migrasim
