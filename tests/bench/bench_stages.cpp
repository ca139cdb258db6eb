// Micro-benchmarks: the random generator and each stage of the step on the
// baseline scenario scaled to 1M agents, in agent-steps per second
// (items_per_second). Run: build/migrasim_bench [--benchmark_filter=...].
// The state is warmed up to mid-2023 first, so the mix of statuses is the
// baseline's at the height of the flow.
#include <benchmark/benchmark.h>

#include <memory>

#include "model.hpp"
#include "philox.hpp"
#include "random.hpp"
#include "simulation.hpp"
#include "step.hpp"

namespace migrasim {
namespace {

struct Fixture {
  Model model;
  State state;
};

Fixture& warmed_up() {
  static std::unique_ptr<Fixture> fixture = [] {
    auto f = std::make_unique<Fixture>();
    f->model = compile(load_scenario(MIGRASIM_SOURCE_DIR "/scenarios/baseline.yaml",
                                     {"population.agents=1000000", "time.end=2025-12-31"}));
    f->state = make_state(f->model);
    initialize_population(f->model, 0, f->state);
    const std::int32_t warm_steps = f->model.first_step_from(*parse_date("2023-07-01"));
    for (std::int32_t t = 0; t < warm_steps; ++t) {
      f->state.step = t;
      step(f->model, f->state);
    }
    return f;
  }();
  return *fixture;
}

void BM_Philox(benchmark::State& bench) {
  PhiloxCounter counter{0, 0, 0, 0};
  const PhiloxKey key{1, 2};
  for (auto _ : bench) {
    ++counter[0];
    benchmark::DoNotOptimize(philox4x32_10(counter, key));
  }
  bench.SetItemsProcessed(bench.iterations() * 4);  // four 32-bit words per block
}
BENCHMARK(BM_Philox);

// One stage, repeated on the same step: the state drifts a little between
// repetitions (agents move on), which is what a step does anyway.
void BM_Stage(benchmark::State& bench) {
  Fixture& f = warmed_up();
  const Stage& stage = stages()[static_cast<std::size_t>(bench.range(0))];
  bench.SetLabel(stage.name);
  for (auto _ : bench) {
    stage.run(f.model, f.state);
  }
  bench.SetItemsProcessed(bench.iterations() * static_cast<std::int64_t>(f.model.agents));
}
BENCHMARK(BM_Stage)->DenseRange(0, 9)->Unit(benchmark::kMillisecond);

void BM_WholeStep(benchmark::State& bench) {
  Fixture& f = warmed_up();
  for (auto _ : bench) {
    step(f.model, f.state);
    f.state.step = std::min(f.state.step + 1, f.model.steps - 1);
  }
  bench.SetItemsProcessed(bench.iterations() * static_cast<std::int64_t>(f.model.agents));
}
BENCHMARK(BM_WholeStep)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace migrasim
