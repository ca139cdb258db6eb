#include "engine/simulation.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>

#include "engine/step.hpp"
#include "engine/team_chooser.hpp"
#include "model/series.hpp"
#include "util/stop_flag.hpp"

namespace migrasim {
void stop_run(int signal) { request_stop(signal); }

void check_stop() {
  if (const int signal = stop_requested(); signal != 0) throw Interrupted{signal};
}

void clear_stop() { request_stop(0); }

std::uint64_t estimated_memory_bytes(const Model& m) {
  // Two bytes per agent at home; the agent columns, the rationing scratch (4 +
  // 8 bytes), the list of those who left (4) and the transit calendar (at most
  // 8 bytes in its lists and 4 in a spare) per agent who has left home,
  // memory reserved for everyone but touched only as agents leave, counted
  // here for the initial stocks and a share kLeavingShare of the rest (5.5%
  // of the baseline's pool leave home in its five years: a fifth allows for
  // flows four times as large), and the recorded series of one replicate;
  // tables of nodes, communities and networks are small beside them.
  constexpr double kLeavingShare = 0.2;
  const std::uint64_t per_slot = Agents::kBytesPerAgent + 12 + 4 + 12;
  const auto slots = static_cast<std::uint64_t>((m.agents - m.home_agents) +
                                                kLeavingShare * static_cast<double>(m.home_agents));
  std::uint64_t values_per_step = kSeriesCount + m.interventions.size();
  for (std::size_t k = 0; k < kAxisSeriesCount; ++k)
    values_per_step += axis_length(m, axis_of(static_cast<AxisSeries>(k)));
  const std::uint64_t series =
      values_per_step * static_cast<std::uint64_t>(m.steps) * sizeof(double);
  return 2 * std::uint64_t{m.home_agents} + per_slot * slots + series + (std::uint64_t{64} << 20);
}

namespace {

// The threads of the replicate's caller, given back however the run ends.
class KeepThreads {
 public:
  KeepThreads() : threads_(omp_get_max_threads()) {}
  ~KeepThreads() { omp_set_num_threads(threads_); }
  KeepThreads(const KeepThreads&) = delete;
  KeepThreads& operator=(const KeepThreads&) = delete;
  int threads() const { return threads_; }

 private:
  int threads_;
};

}  // namespace

void run_replicate(const Model& m, std::uint32_t replicate, State& s,
                   const StageObserver& after_stage) {
  initialize_population(m, replicate, s);
  const KeepThreads caller;
  // Never more threads than the state was made for.
  TeamChooser team(s.choose_team ? std::min(caller.threads(), static_cast<int>(s.leavers.threads()))
                                 : 1);
  for (std::int32_t t = 0; t < m.steps; ++t) {
    check_stop();
    s.step = t;
    if (s.choose_team) omp_set_num_threads(team.team());
    const auto start = std::chrono::steady_clock::now();
    if (!after_stage) {
      step(m, s);
    } else {
      for (const Stage& stage : stages()) {
        stage.run(m, s);
        after_stage(s, stage.name);
      }
    }
    team.step_took(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
}

}  // namespace migrasim
