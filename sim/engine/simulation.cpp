#include "engine/simulation.hpp"

#include "engine/step.hpp"
#include "model/series.hpp"
#include "util/stop_flag.hpp"

namespace migrasim {
void stop_run(int signal) { request_stop(signal); }

void check_stop() {
  if (const int signal = stop_requested(); signal != 0) throw Interrupted{signal};
}

void clear_stop() { request_stop(0); }

std::uint64_t estimated_memory_bytes(const Model& m) {
  // Agent columns, the rationing scratch (4 + 8 bytes per agent), the list of
  // agents who left home (4 + 4; the last two are touched only as far as a
  // run uses them, so this is the most it can need), the transit calendar (at
  // most 8 bytes per traveller in its lists and 4 in a spare, when every agent
  // travels) and the recorded series of one replicate; tables of nodes,
  // communities and networks are small beside them.
  const std::uint64_t per_agent = Agents::kBytesPerAgent + 12 + 8 + 12;
  std::uint64_t values_per_step = kSeriesCount + m.interventions.size();
  for (std::size_t k = 0; k < kAxisSeriesCount; ++k)
    values_per_step += axis_length(m, axis_of(static_cast<AxisSeries>(k)));
  const std::uint64_t series =
      values_per_step * static_cast<std::uint64_t>(m.steps) * sizeof(double);
  return per_agent * m.agents + series + (std::uint64_t{64} << 20);
}

void run_replicate(const Model& m, std::uint32_t replicate, State& s,
                   const StageObserver& after_stage) {
  initialize_population(m, replicate, s);
  for (std::int32_t t = 0; t < m.steps; ++t) {
    check_stop();
    s.step = t;
    if (!after_stage) {
      step(m, s);
      continue;
    }
    for (const Stage& stage : stages()) {
      stage.run(m, s);
      after_stage(s, stage.name);
    }
  }
}

}  // namespace migrasim
