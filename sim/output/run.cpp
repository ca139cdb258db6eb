#include "output/run.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "engine/invariants.hpp"
#include "output/run_file.hpp"
#include "util/format.hpp"
#include "util/side_by_side.hpp"

namespace migrasim {
namespace {

using Clock = std::chrono::steady_clock;

// A live line on a terminal, redrawn at most a few times a second.
class ProgressLine {
 public:
  ProgressLine(bool enabled, double total_agent_steps)
      : enabled_(enabled), total_(total_agent_steps), start_(Clock::now()), last_(start_) {}

  void update(std::uint32_t replicate, std::uint32_t replicates, std::int32_t step,
              std::int32_t steps, double done_agent_steps) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(250) && step + 1 < steps) return;
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = done_agent_steps / std::max(elapsed, 1e-9);
    const double eta = (total_ - done_agent_steps) / std::max(rate, 1e-9);
    std::fprintf(stderr, "\r  replicate %u/%u  step %d/%d  %.1f M agent-steps/s  ETA %s   ",
                 replicate + 1, replicates, step + 1, steps, rate / 1e6,
                 format_duration(eta).c_str());
    std::fflush(stderr);
  }

  void finish() {
    if (enabled_) std::fprintf(stderr, "\r%*s\r", 78, "");
  }

 private:
  bool enabled_;
  double total_;
  Clock::time_point start_;
  Clock::time_point last_;
};

}  // namespace

RunSummary run_scenario(const Model& m, const std::filesystem::path& output,
                        const RunOptions& options) {
  OutputFile file =
      create_run_file(m, output, options.command_line, options.overwrite, options.extras);
  RunSummary summary = run_scenario(m, file, options);
  file.commit();
  return summary;
}

RunSummary run_scenario(const Model& m, OutputFile& file, const RunOptions& options) {
  if (options.threads > 0) omp_set_num_threads(options.threads);
  const int side_by_side =
      side_by_side_threads(m.agents, m.replicates, omp_get_max_threads(), options.parallelism);

  const double agent_steps_per_replicate = static_cast<double>(m.agents) * m.steps;
  ProgressLine progress(options.progress, agent_steps_per_replicate * m.replicates);
  RunSummary summary;
  summary.side_by_side_threads = side_by_side;
  summary.totals.resize(m.replicates);
  const auto start = Clock::now();
  const auto steps = static_cast<std::size_t>(m.steps);

  // A replicate's file record and totals, in replicate order.
  const auto finish_replicate = [&](const Model& rm, std::uint32_t r, const Recording& recording) {
    write_replicate(file, rm, r, recording);
    if (options.write_extras) options.write_extras(file, r);
    std::array<double, kSeriesCount> totals{};
    for (std::size_t k = 0; k < kSeriesCount; ++k)
      totals[k] = series_info(k).over_period({recording.scalar.data() + k * steps, steps});
    summary.totals[r] = totals;
  };
  // A posterior run gives each replicate its own parameters (and state).
  const auto own_model = [&](std::uint32_t r) {
    std::optional<Model> own;
    if (options.replicate_model) own.emplace(options.replicate_model(r));
    return own;
  };

  if (side_by_side > 0) {
    // Replicates side by side, one per thread: each thread keeps one state
    // (made for the model its current replicate runs), the recordings wait
    // under a lock until every earlier replicate is written.
    struct Finished {
      std::optional<Model> own;
      Recording recording;
    };
    std::vector<std::optional<State>> states(static_cast<std::size_t>(side_by_side));
    std::atomic<std::uint64_t> steps_done{0};
    std::atomic<std::uint32_t> replicates_done{0};
    std::mutex setup;  // compiling a replicate's model reads shared scenario trees
    run_side_by_side(
        m.replicates, side_by_side,
        [&](std::uint32_t r) {
          Finished done;
          {
            const std::lock_guard<std::mutex> lock(setup);
            done.own = own_model(r);
          }
          const Model& rm = done.own ? *done.own : m;
          std::optional<State>& state = states[static_cast<std::size_t>(omp_get_thread_num())];
          if (!state || done.own) state.emplace(make_state(rm));
          const bool reports = omp_get_thread_num() == 0;
          const auto after_stage = [&](const State& s, const char* stage_name) {
            if (std::string_view(stage_name) != "recording") return;
            const std::uint64_t all = steps_done.fetch_add(1) + 1;
            if (reports) {
              progress.update(replicates_done, m.replicates, s.step, m.steps,
                              static_cast<double>(m.agents) * static_cast<double>(all));
            }
          };
          run_replicate_checked(rm, r, *state, options.check_invariants,
                                options.progress ? StageObserver(after_stage) : StageObserver());
          ++replicates_done;
          done.recording = state->recording;
          return done;
        },
        [&](std::uint32_t r, Finished done) {
          finish_replicate(done.own ? *done.own : m, r, done.recording);
        });
  } else {
    State state = make_state(m);
    for (std::uint32_t r = 0; r < m.replicates; ++r) {
      std::optional<Model> own = own_model(r);
      if (own) state = make_state(*own);
      const Model& rm = own ? *own : m;
      const auto after_stage = [&](const State& s, const char* stage_name) {
        if (std::string_view(stage_name) == "recording") {
          progress.update(
              r, m.replicates, s.step, m.steps,
              agent_steps_per_replicate * r + static_cast<double>(m.agents) * (s.step + 1));
        }
      };
      run_replicate_checked(rm, r, state, options.check_invariants,
                            options.progress ? StageObserver(after_stage) : StageObserver());
      finish_replicate(rm, r, state.recording);
    }
  }
  progress.finish();
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  summary.agent_steps_per_second = agent_steps_per_replicate * m.replicates / summary.seconds;
  return summary;
}

std::string format_summary(const Model& m, const RunSummary& summary) {
  std::ostringstream out;
  char line[160];
  std::snprintf(line, sizeof line,
                "%s: %u replicate(s) x %d steps x %u agents (%g persons each) in %.2f s, %.1f M "
                "agent-steps/s\n",
                m.scenario_name.c_str(), m.replicates, m.steps, m.agents, m.persons_per_agent,
                summary.seconds, summary.agent_steps_per_second / 1e6);
  out << line;
  std::snprintf(line, sizeof line, "  %-26s %14s %14s %14s\n", "series (total or end value)",
                "mean", "min", "max");
  out << line;
  for (std::size_t k = 0; k < kSeriesCount; ++k) {
    double sum = 0.0, low = 1e300, high = -1e300;
    for (const auto& totals : summary.totals) {
      sum += totals[k];
      low = std::min(low, totals[k]);
      high = std::max(high, totals[k]);
    }
    const SeriesInfo& info = series_info(k);
    const char* format = info.units == std::string_view("1") ? "  %-26s %14.3f %14.3f %14.3f\n"
                                                             : "  %-26s %14.0f %14.0f %14.0f\n";
    std::snprintf(line, sizeof line, format,
                  (std::string(info.name) + (info.is_flow ? "" : " (end)")).c_str(),
                  sum / static_cast<double>(summary.totals.size()), low, high);
    out << line;
  }
  return out.str();
}

}  // namespace migrasim
