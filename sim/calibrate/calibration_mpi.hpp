// Calibrations across MPI ranks (built only when Open MPI is found; see
// CMakeLists). Every rank runs the same ABC-SMC loop on the same data; within
// a generation rank 0 hands out particles one at a time as ranks ask for work,
// as a sweep hands out members (sweep/sweep_mpi.hpp), and runs particles
// itself, answering requests between stages. When every particle is in, rank 0
// sends all of them to every rank, so each builds the same next generation. A
// particle's result depends only on its index and the previous generation,
// so the posterior is the same for any number of ranks. Rank 0 alone writes.
#pragma once

#include <filesystem>

#include "calibrate/calibrate_run.hpp"
#include "sweep/sweep_mpi.hpp"

namespace migrasim {

// Runs the calibration across every rank; rank 0 writes the files and reports.
CalibrateSummary run_calibration_mpi(const MpiSession& mpi, const Calibration& calibration,
                                     const std::filesystem::path& output,
                                     const CalibrateOptions& options);

}  // namespace migrasim
