#include "sweep/sweep_mpi.hpp"

#include <mpi.h>
#include <omp.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <thread>
#include <vector>

#include "util/errors.hpp"

namespace migrasim {
namespace {

// Message tags. A worker sends kRequest when free, carrying its last result
// (empty the first time); rank 0 answers kAssign with a member index, or -1
// when none is left. kInterrupted tells rank 0 a worker was stopped by a signal.
constexpr int kRequest = 1;
constexpr int kAssign = 2;
constexpr int kInterrupted = 3;

struct ResultHeader {
  std::uint32_t member;
  std::uint32_t ok;
  double seconds;
  std::uint64_t values;
  std::uint64_t error_bytes;
};

std::vector<char> encode(const MemberResult& result) {
  const ResultHeader header{result.member, result.ok ? 1u : 0u, result.seconds,
                            result.values.size(), result.error.size()};
  std::vector<char> bytes(sizeof header + result.values.size() * sizeof(double) +
                          result.error.size());
  char* out = bytes.data();
  std::memcpy(out, &header, sizeof header);
  out += sizeof header;
  std::memcpy(out, result.values.data(), result.values.size() * sizeof(double));
  out += result.values.size() * sizeof(double);
  std::memcpy(out, result.error.data(), result.error.size());
  return bytes;
}

MemberResult decode(const std::vector<char>& bytes) {
  ResultHeader header;
  if (bytes.size() < sizeof header)
    throw std::runtime_error("malformed result message from an MPI rank");
  std::memcpy(&header, bytes.data(), sizeof header);
  if (bytes.size() != sizeof header + header.values * sizeof(double) + header.error_bytes) {
    throw std::runtime_error("malformed result message from an MPI rank");
  }
  MemberResult result;
  result.member = header.member;
  result.ok = header.ok != 0;
  result.seconds = header.seconds;
  result.values.resize(header.values);
  const char* in = bytes.data() + sizeof header;
  std::memcpy(result.values.data(), in, header.values * sizeof(double));
  in += header.values * sizeof(double);
  result.error.assign(in, header.error_bytes);
  return result;
}

void send_bytes(const std::vector<char>& bytes, int destination, int tag) {
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, destination, tag,
           MPI_COMM_WORLD);
}

// Rank 0: runs members itself and answers the others between stages.
SweepSummary coordinate(const MpiSession& mpi, const Sweep& sweep, SweepFile& file,
                        const SweepOptions& options) {
  const std::vector<std::uint32_t> pending = file.pending();
  SweepSummary summary;
  summary.members = sweep.members();
  summary.already_done = sweep.members() - static_cast<std::uint32_t>(pending.size());
  summary.damaged = file.damaged_members();
  SweepProgress progress(options, static_cast<std::uint32_t>(pending.size()));
  std::size_t cursor = 0;
  int working = mpi.size() - 1;  // workers not yet told to stop

  const auto record = [&](const MemberResult& result) {
    file.write(result);
    progress.member_done(result);
    ++summary.ran;
    if (!result.ok) summary.failures.emplace_back(result.member, result.error);
  };
  // Handles waiting messages; with `wait`, blocks until one has been handled.
  std::vector<char> buffer;
  const auto serve = [&](bool wait) {
    for (;;) {
      int waiting = 0;
      MPI_Status status;
      MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &waiting, &status);
      if (!waiting) {
        if (!wait) return;
        check_stop();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      int count = 0;
      MPI_Get_count(&status, MPI_BYTE, &count);
      buffer.resize(static_cast<std::size_t>(count));
      MPI_Recv(buffer.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
      if (status.MPI_TAG == kInterrupted) {
        int signal = 0;
        std::memcpy(&signal, buffer.data(), std::min(sizeof signal, buffer.size()));
        throw Interrupted{signal};
      }
      if (!buffer.empty()) record(decode(buffer));
      std::int64_t next = -1;
      if (cursor < pending.size()) {
        next = pending[cursor++];
      } else {
        --working;
      }
      MPI_Send(&next, 1, MPI_INT64_T, status.MPI_SOURCE, kAssign, MPI_COMM_WORLD);
      if (wait) return;
    }
  };

  Sweep::Hooks hooks;
  hooks.check_invariants = options.check_invariants;
  hooks.poll = [&] { serve(false); };
  const auto start = std::chrono::steady_clock::now();
  while (cursor < pending.size()) {
    const std::uint32_t member = pending[cursor++];
    record(sweep.run_member(member, hooks));
    serve(false);
  }
  while (working > 0) serve(true);
  progress.finish();
  file.commit();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

void work(const Sweep& sweep, const SweepOptions& options) {
  Sweep::Hooks hooks;
  hooks.check_invariants = options.check_invariants;
  std::vector<char> last;  // the previous member's result, sent with the next request
  for (;;) {
    send_bytes(last, 0, kRequest);
    std::int64_t member = -1;
    MPI_Recv(&member, 1, MPI_INT64_T, 0, kAssign, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (member < 0) return;
    try {
      last = encode(sweep.run_member(static_cast<std::uint32_t>(member), hooks));
    } catch (const Interrupted& stop) {
      // Rank 0 closes the partial file and ends every rank.
      MPI_Send(&stop.signal, 1, MPI_INT, 0, kInterrupted, MPI_COMM_WORLD);
      int never = 0;
      MPI_Recv(&never, 1, MPI_INT, 0, kInterrupted, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
  }
}

}  // namespace

bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

MpiSession::MpiSession(int* argc, char*** argv) {
  int provided = 0;
  // Only the main thread calls MPI; OpenMP threads never do.
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
  MPI_Comm_size(node, &ranks_on_node_);
  MPI_Comm_free(&node);
}

MpiSession::~MpiSession() { MPI_Finalize(); }

void MpiSession::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

SweepSummary run_sweep_mpi(const MpiSession& mpi, const Sweep& sweep,
                           const std::filesystem::path& output, const SweepOptions& options) {
  if (options.threads > 0) omp_set_num_threads(options.threads);
  // Rank 0 opens the file first and tells everyone whether to go on, so a
  // refused output (exists, no --resume) ends every rank cleanly.
  std::optional<SweepFile> file;
  int refusal = 0;
  std::exception_ptr failure;
  if (mpi.rank() == 0) {
    try {
      file.emplace(sweep, output, options);
    } catch (const InputError&) {
      refusal = 2;
      failure = std::current_exception();
    } catch (...) {
      refusal = 1;
      failure = std::current_exception();
    }
  }
  MPI_Bcast(&refusal, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (failure) std::rethrow_exception(failure);
  if (refusal != 0) throw PeerFailed{refusal};

  mpi.set_collective_in_progress(mpi.size() > 1);
  SweepSummary summary;
  if (mpi.rank() == 0) {
    summary = coordinate(mpi, sweep, *file, options);
  } else {
    work(sweep, options);
  }
  mpi.set_collective_in_progress(false);
  return summary;
}

}  // namespace migrasim
