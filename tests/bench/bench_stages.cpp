// Micro-benchmarks: the random generator, the initial population's draws, the
// agent selection and each stage of the step on the baseline scenario scaled to
// 1M agents (MIGRASIM_BENCH_AGENTS to change it), in agent-steps per second
// (items_per_second).
// Run: build/migrasim_bench [--benchmark_filter=...]. The state is warmed up to
// mid-2023 first, so the mix of statuses is the baseline's at the height of
// the flow. `migrasim bench` measures whole runs (docs/performance.md).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "engine/agent_scan.hpp"
#include "engine/population_sampler.hpp"
#include "engine/simulation.hpp"
#include "engine/step.hpp"
#include "model/model.hpp"
#include "util/philox.hpp"
#include "util/random.hpp"

namespace migrasim {
namespace {

struct Fixture {
  Model model;
  State state;
};

Fixture& warmed_up() {
  static std::unique_ptr<Fixture> fixture = [] {
    auto f = std::make_unique<Fixture>();
    const char* agents = std::getenv("MIGRASIM_BENCH_AGENTS");
    const std::int64_t n = agents != nullptr ? std::atoll(agents) : 1000000;
    // The baseline's persons spread over the agents, as `migrasim bench` does,
    // so the mix of statuses is the baseline's.
    Scenario scenario =
        load_scenario(MIGRASIM_SOURCE_DIR "/scenarios/baseline.yaml", {"time.end=2025-12-31"});
    const double persons =
        static_cast<double>(scenario.population.agents) * scenario.population.persons_per_agent;
    scenario.population.agents = n;
    scenario.population.persons_per_agent = persons / static_cast<double>(n);
    f->model = compile(scenario);
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

// The draw kernel numbered by the benchmark's argument (0 portable, 1 AVX2,
// 2 AVX-512), as its label; false, and the benchmark skipped, where the CPU
// lacks it.
bool kernel_of(benchmark::State& bench, DrawKernel* kernel) {
  *kernel = static_cast<DrawKernel>(bench.range(0));
  for (DrawKernel k : available_draw_kernels()) {
    if (k == *kernel) {
      bench.SetLabel(to_string(k));
      return true;
    }
  }
  bench.SkipWithError("kernel not supported on this CPU");
  return false;
}

// The first draws of 512 agents at a time, as the stages take them, with each
// kernel this CPU has (0 portable, 1 AVX2, 2 AVX-512).
void BM_FirstBits(benchmark::State& bench) {
  DrawKernel kernel;
  if (!kernel_of(bench, &kernel)) return;
  std::vector<std::uint32_t> ids(512), bits(512);
  std::uint32_t step = 0;
  for (auto _ : bench) {
    for (std::size_t j = 0; j < ids.size(); ++j) ids[j] = static_cast<std::uint32_t>(j * 3);
    first_bits(kernel, StreamKey{1, 0, ++step, StreamId::kInformation}, ids, bits.data());
    benchmark::DoNotOptimize(bits.data());
  }
  bench.SetItemsProcessed(bench.iterations() * static_cast<std::int64_t>(ids.size()));
}
BENCHMARK(BM_FirstBits)->DenseRange(0, 2);

// The initial population's attributes, one batch of 256 agents at a time, with
// each kernel this CPU has (0 portable, 1 AVX2, 2 AVX-512), in agents per second.
void BM_InitialAttributes(benchmark::State& bench) {
  DrawKernel kernel;
  if (!kernel_of(bench, &kernel)) return;
  const Model& m = warmed_up().model;
  constexpr std::size_t kAgents = 1 << 16;
  Agents agents;
  agents.savings_usd.assign(kAgents, 0.0f);
  agents.risk_tolerance.assign(kAgents, 0.0f);
  agents.claim_strength.assign(kAgents, 0.0f);
  agents.flags.assign(kAgents, 0);
  const PopulationSampler sampler(m, kernel);
  auto scratch = std::make_unique<PopulationSampler::Scratch>();
  std::uint32_t replicate = 0;
  for (auto _ : bench) {
    const StreamKey key{m.seed, ++replicate, 0, StreamId::kInitialPopulation};
    for (std::size_t first = 0; first < kAgents; first += PopulationSampler::kBatch) {
      sampler.draw(key, static_cast<std::uint32_t>(first), PopulationSampler::kBatch, agents,
                   *scratch);
    }
    benchmark::DoNotOptimize(agents.risk_tolerance.data());
  }
  bench.SetItemsProcessed(bench.iterations() * static_cast<std::int64_t>(kAgents));
}
BENCHMARK(BM_InitialAttributes)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);

// Picking the agents at home who know the route (the decisions stage's
// filter) out of all agents, 1024 at a time.
void BM_SelectAgents(benchmark::State& bench) {
  Fixture& f = warmed_up();
  const Agents& a = f.state.agents;
  const AgentFilter filter{a.status.data(), Status::kAtHome, Status::kAtHome,
                           a.flags.data(),  kRouteAware,     kRouteAware};
  std::vector<std::uint32_t> ids(kScanBatch + kSelectSlack);
  const auto n = static_cast<std::int64_t>(a.size());
  for (auto _ : bench) {
    std::size_t kept = 0;
    for (std::int64_t start = 0; start < n; start += kScanBatch) {
      kept += select_agents(filter, start, std::min(n, start + kScanBatch), ids.data());
    }
    benchmark::DoNotOptimize(kept);
  }
  bench.SetItemsProcessed(bench.iterations() * n);
}
BENCHMARK(BM_SelectAgents)->Unit(benchmark::kMillisecond);

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
