#include "calibrate/calibration_mpi.hpp"

#include <mpi.h>

#include <chrono>
#include <cstring>
#include <exception>
#include <thread>
#include <vector>

#include "engine/simulation.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

// A worker sends kRequest when free, carrying its last particle (empty the
// first time in a generation); rank 0 answers kAssign with a particle index,
// or -1 when the generation has none left. kInterrupted: a worker was stopped.
constexpr int kRequest = 11;
constexpr int kAssign = 12;
constexpr int kInterrupted = 13;

// A particle as doubles: index, accepted, attempts, parent, distance, then the
// parameters and the summaries (their counts are the same on every rank).
std::vector<double> encode(std::uint32_t index, const ParticleResult& r, std::size_t parameters,
                           std::size_t summaries) {
  std::vector<double> out{static_cast<double>(index), r.accepted ? 1.0 : 0.0,
                          static_cast<double>(r.attempts), static_cast<double>(r.parent),
                          r.distance};
  out.resize(5 + parameters + summaries, 0.0);
  std::copy(r.parameters.begin(), r.parameters.end(), out.begin() + 5);
  std::copy(r.summaries.begin(), r.summaries.end(),
            out.begin() + 5 + static_cast<std::ptrdiff_t>(parameters));
  return out;
}

ParticleResult decode(const double* in, std::size_t parameters, std::size_t summaries) {
  ParticleResult r;
  r.accepted = in[1] != 0.0;
  r.attempts = static_cast<std::uint32_t>(in[2]);
  r.parent = static_cast<std::uint32_t>(in[3]);
  r.distance = in[4];
  if (r.accepted) {
    r.parameters.assign(in + 5, in + 5 + parameters);
    r.summaries.assign(in + 5 + parameters, in + 5 + parameters + summaries);
  }
  return r;
}

class MpiExecutor {
 public:
  MpiExecutor(const MpiSession& mpi, const Calibration& calibration)
      : mpi_(mpi),
        calibration_(calibration),
        parameters_(calibration.spec().parameters.size()),
        summaries_(calibration.spec().targets.size()) {}

  std::vector<ParticleResult> operator()(std::uint32_t count, const ParticleJob& job) {
    const std::size_t width = 5 + parameters_ + summaries_;
    std::vector<double> all(static_cast<std::size_t>(count) * width);
    if (mpi_.rank() == 0) {
      coordinate(count, job, all, width);
    } else {
      work(job);
    }
    MPI_Bcast(all.data(), static_cast<int>(all.size()), MPI_DOUBLE, 0, MPI_COMM_WORLD);
    std::vector<ParticleResult> results;
    results.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i)
      results.push_back(decode(all.data() + i * width, parameters_, summaries_));
    return results;
  }

 private:
  void coordinate(std::uint32_t count, const ParticleJob& job, std::vector<double>& all,
                  std::size_t width) {
    std::uint32_t cursor = 0;
    int working = mpi_.size() - 1;
    std::vector<double> buffer;
    const auto store = [&](const std::vector<double>& encoded) {
      const auto index = static_cast<std::size_t>(encoded[0]);
      std::copy(encoded.begin(), encoded.end(),
                all.begin() + static_cast<std::ptrdiff_t>(index * width));
    };
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
        int n = 0;
        MPI_Get_count(&status, MPI_DOUBLE, &n);
        buffer.resize(static_cast<std::size_t>(n));
        MPI_Recv(buffer.data(), n, MPI_DOUBLE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        if (status.MPI_TAG == kInterrupted)
          throw Interrupted{buffer.empty() ? 15 : static_cast<int>(buffer[0])};
        if (!buffer.empty()) store(buffer);
        std::int64_t next = -1;
        if (cursor < count) {
          next = cursor++;
        } else {
          --working;
        }
        MPI_Send(&next, 1, MPI_INT64_T, status.MPI_SOURCE, kAssign, MPI_COMM_WORLD);
        if (wait) return;
      }
    };
    calibration_.set_poll([&] { serve(false); });
    while (cursor < count) {
      const std::uint32_t particle = cursor++;
      store(encode(particle, job(particle), parameters_, summaries_));
      serve(false);
    }
    calibration_.set_poll({});
    while (working > 0) serve(true);
  }

  void work(const ParticleJob& job) {
    std::vector<double> last;
    for (;;) {
      MPI_Send(last.data(), static_cast<int>(last.size()), MPI_DOUBLE, 0, kRequest, MPI_COMM_WORLD);
      std::int64_t particle = -1;
      MPI_Recv(&particle, 1, MPI_INT64_T, 0, kAssign, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (particle < 0) return;
      try {
        last = encode(static_cast<std::uint32_t>(particle),
                      job(static_cast<std::uint32_t>(particle)), parameters_, summaries_);
      } catch (const Interrupted& stop) {
        const double signal = stop.signal;
        MPI_Send(&signal, 1, MPI_DOUBLE, 0, kInterrupted, MPI_COMM_WORLD);
        int never = 0;
        MPI_Recv(&never, 1, MPI_INT, 0, kInterrupted, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      }
    }
  }

  const MpiSession& mpi_;
  const Calibration& calibration_;
  std::size_t parameters_, summaries_;
};

}  // namespace

CalibrateSummary run_calibration_mpi(const MpiSession& mpi, const Calibration& calibration,
                                     const std::filesystem::path& output,
                                     const CalibrateOptions& options) {
  // Rank 0 decides whether the output may be written and whether to resume,
  // and tells everyone, so a refused output ends every rank cleanly.
  int decision = 0;  // 0 fresh, 1 resume, 2 input refused, 3 output refused
  std::exception_ptr failure;
  if (mpi.rank() == 0) {
    try {
      decision = prepare_calibration_output(output, options) ? 1 : 0;
    } catch (const InputError&) {
      decision = 2;
      failure = std::current_exception();
    } catch (...) {
      decision = 3;
      failure = std::current_exception();
    }
  }
  MPI_Bcast(&decision, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (failure) std::rethrow_exception(failure);
  if (decision >= 2) throw PeerFailed{decision == 2 ? 2 : 1};

  mpi.set_collective_in_progress(true);
  MpiExecutor executor(mpi, calibration);
  const CalibrateSummary summary = run_calibration(
      calibration, output, options,
      [&](std::uint32_t count, const ParticleJob& job) { return executor(count, job); },
      mpi.rank() == 0, decision == 1);
  mpi.set_collective_in_progress(false);
  return summary;
}

}  // namespace migrasim
