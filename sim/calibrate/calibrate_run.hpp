// Running a calibration into its posterior file: generations until a stopping
// rule holds, each one checkpointed into OUT.h5.partial so that a stopped run
// resumes from its last finished generation (--resume), then the finished file
// under OUT.h5. Particles are shared out by an Executor (in one process one
// after another or side by side, local_executor below; across MPI ranks in
// calibrate/calibration_mpi.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "calibrate/abc_smc.hpp"
#include "calibrate/calibration.hpp"
#include "util/side_by_side.hpp"

namespace migrasim {

struct CalibrateOptions {
  int threads = 0;  // per process; 0: OpenMP's default
  // Particles side by side, one per thread, or one at a time across the
  // threads (util/side_by_side.hpp); the posterior is the same either way.
  Parallelism parallelism = Parallelism::kAuto;
  bool overwrite = false;
  bool resume = false;
  bool quiet = false;
  std::string command_line;
};

struct CalibrateSummary {
  std::size_t generations = 0;
  std::size_t resumed_generations = 0;  // read back from the partial file
  std::uint64_t simulations = 0;
  std::string stop_reason;
  double seconds = 0.0;
};

// The executor of one process: a generation's particles one after another, each
// simulation's agents split across the threads, or side by side, one per
// thread, as side_by_side_threads() decides for the scenario's agents and the
// threads the run has when the generation starts. Results in particle order.
Executor local_executor(const Calibration& calibration, Parallelism parallelism);

std::filesystem::path calibration_partial_path(const std::filesystem::path& output);

// Refuses an output that exists (without --force), a partial file without
// --resume or --force; with --force and no --resume removes the partial file.
// Returns true when the run continues from the partial file.
bool prepare_calibration_output(const std::filesystem::path& output,
                                const CalibrateOptions& options);

// Runs the calibration. `writer`: this process writes the files and reports
// (rank 0 under MPI). `resume_from_partial`: as prepare_calibration_output returned.
CalibrateSummary run_calibration(const Calibration& calibration,
                                 const std::filesystem::path& output,
                                 const CalibrateOptions& options, const Executor& executor,
                                 bool writer, bool resume_from_partial);

std::string format_calibration_summary(const Calibration& calibration, const AbcSmc& abc,
                                       const CalibrateSummary& summary,
                                       const std::filesystem::path& output);

}  // namespace migrasim
