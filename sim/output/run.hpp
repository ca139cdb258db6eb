// Running a scenario into its output file: every replicate in turn, each
// replicate's agents processed in parallel, or, when agents are few, replicates
// side by side, one per thread (util/side_by_side.hpp); either way the series
// are written in replicate order and the file is the same to the last bit.
#pragma once

#include <array>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "engine/invariants.hpp"
#include "engine/simulation.hpp"
#include "model/model.hpp"
#include "model/series.hpp"
#include "output/output_file.hpp"
#include "output/run_file.hpp"
#include "util/side_by_side.hpp"

namespace migrasim {

struct RunOptions {
  int threads = 0;                                           // 0: OpenMP's default
  Parallelism parallelism = Parallelism::kAuto;              // util/side_by_side.hpp
  InvariantChecks check_invariants = InvariantChecks::kOff;  // engine/invariants.hpp
  bool overwrite = false;
  bool progress = false;  // a live progress line on stderr
  std::string command_line;
  // Runs over a posterior: each replicate's own model (its parameters drawn
  // for it), what the file records of it, and the writing of that record.
  std::function<Model(std::uint32_t replicate)> replicate_model;
  RunFileExtras extras;
  std::function<void(OutputFile&, std::uint32_t replicate)> write_extras;
};

struct RunSummary {
  double seconds = 0.0;
  double agent_steps_per_second = 0.0;
  int side_by_side_threads = 0;  // replicates run side by side on this many threads; 0: not
  // Per replicate, per scalar series: total over the run for flows, final value
  // for stocks, in persons.
  std::vector<std::array<double, kSeriesCount>> totals;
};

// Runs every replicate and writes the output file; returns when the file is in
// place under `output`. Throws OutputError when it cannot be written.
RunSummary run_scenario(const Model& model, const std::filesystem::path& output,
                        const RunOptions& options);

// The same into a file laid out by create_run_file (one in memory, say), which
// is left uncommitted; options.overwrite is not used.
RunSummary run_scenario(const Model& model, OutputFile& file, const RunOptions& options);

// A short table of the summary for the terminal.
std::string format_summary(const Model& model, const RunSummary& summary);

}  // namespace migrasim
