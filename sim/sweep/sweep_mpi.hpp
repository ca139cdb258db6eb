// Sweeps across MPI ranks (built only when Open MPI is found; see CMakeLists).
//
// Rank 0 owns the output file and hands out members one at a time: a rank asks
// for work when it is free, so members that cost more (more agents, longer
// runs) do not leave the other ranks idle as a fixed split would. Rank 0 runs
// members too, answering requests between stages. Results travel to rank 0,
// which writes them into the one file; a member's values depend only on the
// sweep file and its index, so the file is the same for any number of ranks.
//
// Why one writer rather than parallel HDF5: the kept outputs of a member are a
// few kilobytes, far below what one process writes in the time a member runs;
// the serial HDF5 library stays the only one the program links (Debian's
// parallel build is not thread-safe and replaces the serial pkg-config entry);
// and the partial file keeps its simple crash-safe layout for --resume.
#pragma once

#include <filesystem>

#include "sweep/sweep.hpp"

namespace migrasim {

// Thrown on the other ranks when rank 0 could not start the sweep (it reports
// why); every rank then exits with `code`.
struct PeerFailed {
  int code;
};

// True when this process was started by mpirun/mpiexec (or srun with PMI).
bool launched_by_mpi();

// Calls MPI_Init / MPI_Finalize around the process.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  int rank() const { return rank_; }
  int size() const { return size_; }
  // Ranks sharing this node, to split its cores among them.
  int ranks_on_node() const { return ranks_on_node_; }
  // Ends every rank with `code`, for failures one rank cannot recover from.
  [[noreturn]] void abort(int code) const;
  // True while ranks depend on each other (a sweep under way): a rank that
  // fails then must abort() rather than return, or the others would wait.
  bool collective_in_progress() const { return collective_in_progress_; }
  void set_collective_in_progress(bool value) const { collective_in_progress_ = value; }

 private:
  int rank_ = 0, size_ = 1, ranks_on_node_ = 1;
  mutable bool collective_in_progress_ = false;
};

// Runs the sweep across every rank. On rank 0 returns the summary (the file
// committed); on the other ranks returns an empty summary.
SweepSummary run_sweep_mpi(const MpiSession& mpi, const Sweep& sweep,
                           const std::filesystem::path& output, const SweepOptions& options);

}  // namespace migrasim
