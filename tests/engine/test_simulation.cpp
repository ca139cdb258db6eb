#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <csignal>
#include <numeric>
#include <stdexcept>
#include <string_view>

#include "engine/home_draws.hpp"
#include "engine/invariants.hpp"
#include "engine/simulation.hpp"
#include "engine/stages/stages.hpp"
#include "engine/step.hpp"
#include "model/model.hpp"
#include "test_support.hpp"

namespace migrasim {
namespace {

using testing::tiny_scenario_yaml;
using testing::tiny_with;

Model tiny_model(const std::vector<std::string>& overrides = {}) {
  return compile(parse_scenario(tiny_scenario_yaml(), "tiny.yaml", overrides));
}

double series_total(const Model& m, const Recording& r, std::size_t series) {
  const auto steps = static_cast<std::size_t>(m.steps);
  return std::accumulate(r.scalar.begin() + static_cast<long>(series * steps),
                         r.scalar.begin() + static_cast<long>((series + 1) * steps), 0.0);
}

double series_last(const Model& m, const Recording& r, std::size_t series) {
  const auto steps = static_cast<std::size_t>(m.steps);
  return r.scalar[series * steps + steps - 1];
}

struct ReplicateResult {
  Recording recording;
  std::vector<Status> status;
  std::vector<float> savings;
};

ReplicateResult run_with_threads(const Model& m, int threads, std::uint32_t replicate = 0) {
  const int before = omp_get_max_threads();
  omp_set_num_threads(threads);
  State s = make_state(m);
  s.choose_team = false;  // every step on `threads` threads
  run_replicate(m, replicate, s);
  omp_set_num_threads(before);
  return {s.recording, s.agents.status, s.agents.savings_usd};
}

// A stop asked for while the agents at home are allocated cuts the allocation
// short (it is done in chunks) and is heeded before anything uses them.
TEST(Simulation, AStopDuringAllocationIsHeededAtOnce) {
  const Model m = tiny_model();
  request_stop(SIGINT);
  EXPECT_THROW(make_state(m), Interrupted);
  request_stop(0);
  EXPECT_EQ(make_state(m).home_status.size(), m.home_agents);
}

// --check finds a violation at the end of its step and names the stage that
// caused it by replaying the replicate with every stage checked, as
// --check-stages does directly.
TEST(Simulation, EndOfStepCheckNamesTheStageThatBrokeAnInvariant) {
  const Model m = tiny_model();
  State s = make_state(m);
  // Breaks an invariant in step 5, after the movement stage, the way a
  // faulty stage would: an agent in transit whose next event is past.
  const StageObserver saboteur = [&](const State& state, const char* stage) {
    if (state.step != 5 || std::string_view(stage) != "movement") return;
    auto& agents = const_cast<State&>(state).agents;
    for (std::size_t i = 0; i < agents.size(); ++i) {
      if (agents.status[i] == Status::kInTransit) {
        agents.due_step[i] = state.step - 1;
        return;
      }
    }
  };
  for (const InvariantChecks checks : {InvariantChecks::kEveryStep, InvariantChecks::kEveryStage}) {
    try {
      run_replicate_checked(m, 0, s, checks, saboteur);
      FAIL() << "no violation found";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("invariant violated in replicate 0, step 5, after stage "
                                           "movement: agent "),
                std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("has an impossible number of steps left"),
                std::string::npos)
          << e.what();
    }
  }
  // Unbroken, the checked run ends as the plain one does.
  State checked = make_state(m), plain = make_state(m);
  run_replicate_checked(m, 0, checked, InvariantChecks::kEveryStep);
  run_replicate(m, 0, plain);
  EXPECT_EQ(checked.recording.scalar, plain.recording.scalar);
}

TEST(Simulation, InvariantsHoldAfterEveryStage) {
  // Binding capacities, so rationing is exercised at the checkpoint and in asylum.
  const Model m =
      tiny_model({"checkpoints[0].throughput_per_day=6.5", "asylum.capacity_per_day=3"});
  State s = make_state(m);
  int checks = 0;
  run_replicate(m, 0, s, [&](const State& state, const char* stage) {
    const std::string violation = find_invariant_violation(m, state);
    ASSERT_EQ(violation, "") << "step " << state.step << " after " << stage;
    ++checks;
  });
  EXPECT_EQ(checks, m.steps * static_cast<int>(stages().size()));
}

TEST(Simulation, FlowsAndStocksAreConserved) {
  // The jungle edge's mortality raised tenfold, so that deaths are counted
  // too (at the file's 1e-3 a day a replicate sees a couple, or none).
  const Model m =
      tiny_model({"checkpoints[0].throughput_per_day=10", "route.edges[1].mortality_per_day=0.01"});
  State s = make_state(m);
  run_replicate(m, 0, s);
  const Recording& r = s.recording;
  const double ppa = m.persons_per_agent;
  const auto total = [&](Series f) { return series_total(m, r, index(f)) / ppa; };
  const auto last = [&](Series k) { return series_last(m, r, index(k)) / ppa; };
  const auto count = [&](Status st) {
    return static_cast<double>(s.status_counts[static_cast<std::size_t>(st)]);
  };

  double all = 0.0;
  for (std::size_t k = 0; k < kStatusCount; ++k) all += static_cast<double>(s.status_counts[k]);
  EXPECT_EQ(all, m.agents);
  EXPECT_EQ(total(Series::kNewAspirants), m.agents - last(Series::kAtHome));
  EXPECT_EQ(total(Series::kDepartures), total(Series::kNewAspirants) - count(Status::kAspiring));
  EXPECT_EQ(total(Series::kDeaths), count(Status::kDied));
  EXPECT_EQ(total(Series::kApprehensions), total(Series::kReturned) + total(Series::kAsylumClaims));
  EXPECT_EQ(total(Series::kAsylumClaims),
            total(Series::kAsylumGranted) + total(Series::kRemoved) + last(Series::kAsylumBacklog));
  EXPECT_EQ(total(Series::kReturned), count(Status::kReturned));
  EXPECT_EQ(total(Series::kAsylumGranted), count(Status::kAdmitted));
  EXPECT_EQ(total(Series::kRemoved), count(Status::kRemoved));
  // The only destination lies beyond the only checkpoint: whoever evaded it
  // has arrived or is still on the last edge.
  double past_border = 0;
  for (std::size_t i = 0; i < s.agents.size(); ++i) {
    past_border += s.agents.status[i] == Status::kInTransit &&
                   m.node_kind[s.agents.node[i]] == NodeKind::kBorder;
  }
  EXPECT_EQ(total(Series::kEvaded), count(Status::kEvaded) + past_border);
  // Every departure is accounted for exactly once.
  EXPECT_EQ(total(Series::kDepartures),
            count(Status::kInTransit) + count(Status::kHeldAtCheckpoint) + total(Series::kDeaths) +
                total(Series::kApprehensions) + count(Status::kEvaded));
  // A real, non-trivial series: people leave, die, are detected and pass.
  EXPECT_GT(total(Series::kDepartures), 100);
  EXPECT_GT(total(Series::kDeaths), 0);
  EXPECT_GT(total(Series::kBorderEncounters), 50);
  EXPECT_GT(total(Series::kEvaded), 5);
}

TEST(Simulation, SameSeedGivesTheSameBitsForAnyThreadCount) {
  const Model m = tiny_model({"population.agents=30000", "checkpoints[0].throughput_per_day=25.5",
                              "asylum.capacity_per_day=4"});
  const ReplicateResult one = run_with_threads(m, 1, 1);
  for (int threads : {2, 3, 4}) {
    const ReplicateResult many = run_with_threads(m, threads, 1);
    EXPECT_EQ(one.recording.scalar, many.recording.scalar) << threads << " threads";
    EXPECT_EQ(one.recording.axis, many.recording.axis) << threads << " threads";
    EXPECT_EQ(one.status, many.status) << threads << " threads";
    EXPECT_EQ(one.savings, many.savings) << threads << " threads";
  }
}

TEST(Simulation, TheTeamMayChangeBetweenAnyTwoSteps) {
  // run_replicate may run each step on all threads or on one (team_chooser.hpp):
  // steps on 1, 3, 2, 1, ... threads in turn give the bits of one thread.
  const Model m = tiny_model({"population.agents=30000", "checkpoints[0].throughput_per_day=25.5",
                              "asylum.capacity_per_day=4"});
  const ReplicateResult one = run_with_threads(m, 1, 1);
  const int before = omp_get_max_threads();
  omp_set_num_threads(3);  // the state is made for up to 3
  State s = make_state(m);
  initialize_population(m, 1, s);
  for (std::int32_t t = 0; t < m.steps; ++t) {
    s.step = t;
    omp_set_num_threads(1 + (t * 2) % 3);
    step(m, s);
  }
  omp_set_num_threads(before);
  EXPECT_EQ(one.recording.scalar, s.recording.scalar);
  EXPECT_EQ(one.recording.axis, s.recording.axis);
  EXPECT_EQ(one.status, s.agents.status);
  EXPECT_EQ(one.savings, s.agents.savings_usd);
}

TEST(Simulation, ChoosingTheTeamKeepsTheBitsAndTheCallersThreads) {
  const Model m = tiny_model({"population.agents=30000", "asylum.capacity_per_day=4"});
  const ReplicateResult one = run_with_threads(m, 1, 2);
  const int before = omp_get_max_threads();
  omp_set_num_threads(3);
  State s = make_state(m);
  ASSERT_TRUE(s.choose_team);
  run_replicate(m, 2, s);
  EXPECT_EQ(omp_get_max_threads(), 3);
  omp_set_num_threads(before);
  EXPECT_EQ(one.recording.scalar, s.recording.scalar);
  EXPECT_EQ(one.status, s.agents.status);
}

TEST(Simulation, SameBitsForAnyThreadCountWhenAgentsAtHomeAreSharedAmongThreads) {
  // Information and decisions walk communities on one thread below
  // kParallelHomeFrom agents at home (home_draws.hpp): a pool above it, with
  // route knowledge spreading and people deciding, takes the parallel path.
  ASSERT_GE(1'100'000u, kParallelHomeFrom);
  const Model m = tiny_model({"population.agents=1100000", "time.end=2022-03-10",
                              "information.initial_route_awareness=0.01",
                              "information.contagion_rate_per_day=0.2",
                              "decisions.base_rate_per_day=0.005", "communities.count=64"});
  ASSERT_TRUE(home_loops_in_parallel(m));
  const ReplicateResult one = run_with_threads(m, 1, 0);
  for (int threads : {2, 3}) {
    const ReplicateResult many = run_with_threads(m, threads, 0);
    EXPECT_EQ(one.recording.scalar, many.recording.scalar) << threads << " threads";
    EXPECT_EQ(one.status, many.status) << threads << " threads";
    EXPECT_EQ(one.savings, many.savings) << threads << " threads";
  }
  EXPECT_GT(series_total(m, one.recording, index(Series::kNewAspirants)), 100.0);
}

TEST(Simulation, SameBitsForAnyThreadCountWhenCrowdsMoveAtOnce) {
  // Everyone decides within days: the lists of travellers, the queues and the
  // candidates screened or decided in one step are all long enough to be
  // shared among threads (parallel.hpp's kSerialBelow).
  const Model m = tiny_model({"population.agents=60000", "decisions.base_rate_per_day=2",
                              "checkpoints[0].throughput_per_day=20000",
                              "asylum.capacity_per_day=12000", "asylum.min_processing_days=0"});
  const ReplicateResult one = run_with_threads(m, 1, 0);
  for (int threads : {2, 3}) {
    const ReplicateResult many = run_with_threads(m, threads, 0);
    EXPECT_EQ(one.recording.scalar, many.recording.scalar) << threads << " threads";
    EXPECT_EQ(one.recording.axis, many.recording.axis) << threads << " threads";
    EXPECT_EQ(one.status, many.status) << threads << " threads";
    EXPECT_EQ(one.savings, many.savings) << threads << " threads";
  }
  // The crowd did move through the queues.
  EXPECT_GT(series_total(m, one.recording, index(Series::kApprehensions)), 20000.0);
}

TEST(Simulation, SameBitsForAnyThreadCountWithVisaBarriersAndAsylumSystems) {
  // The crowd again, through a partial visa barrier (entries by overstay and
  // fraud counted from every thread) into two asylum systems with partial
  // removal: the per-system queues and the per-node counts stay exact.
  const Model m =
      tiny_model({"population.agents=60000", "decisions.base_rate_per_day=2",
                  "checkpoints[0].throughput_per_day=20000",
                  "route.nodes.jungle.visa_required=[{regions: [north, south], from: 2022-01-01, "
                  "refusal_probability: 0.6, overstay_probability: 0.3, fraud_probability: 0.4}]",
                  "asylum=[{name: north_system, nodes: [north_land], capacity_per_day: 12000, "
                  "removal_probability: 0.5, grant_probability_multiplier: 1.5}, "
                  "{name: spare, nodes: [road]}]"});
  ASSERT_EQ(m.asylum_system_count(), 2u);
  const ReplicateResult one = run_with_threads(m, 1, 0);
  const ReplicateResult many = run_with_threads(m, 2, 0);
  EXPECT_EQ(one.recording.scalar, many.recording.scalar);
  EXPECT_EQ(one.recording.axis, many.recording.axis);
  EXPECT_EQ(one.status, many.status);
  EXPECT_EQ(one.savings, many.savings);
  EXPECT_GT(series_total(m, one.recording, index(Series::kDeniedNotRemoved)), 1000.0);
}

TEST(Simulation, SameBitsForAnyThreadCountWhenHazardsChangeUnderway) {
  // A crowd on the road while the death hazard ramps and jumps: the steps that
  // redraw death times and file every traveller again, and the waves of
  // arrivals, are long enough to be shared among threads.
  const std::string text = R"(
time: {start: 2022-01-01, end: 2022-02-28}
population: {agents: 30000}
regions:
  - {name: r, population_share: 1, origin: a, push_factors: {economic_hardship: 0, repression: 0}}
decisions: {base_rate_per_day: 2}
route:
  nodes: [{name: a, kind: origin}, {name: b, kind: transit}, {name: c, kind: destination}]
  edges:
    - {from: a, to: b, travel_days: 6, mortality_per_day: {2022-01-01: 0.001, 2022-01-10: 0.02,
       2022-01-20: 0.02, 2022-01-21: 0}}
    - {from: b, to: c, travel_days: 9, mortality_per_day: 0.005}
)";
  const Model m = compile(parse_scenario(text, "inline.yaml"));
  const ReplicateResult one = run_with_threads(m, 1, 0);
  for (int threads : {2, 3}) {
    const ReplicateResult many = run_with_threads(m, threads, 0);
    EXPECT_EQ(one.recording.scalar, many.recording.scalar) << threads << " threads";
    EXPECT_EQ(one.recording.axis, many.recording.axis) << threads << " threads";
    EXPECT_EQ(one.status, many.status) << threads << " threads";
  }
  EXPECT_GT(series_total(m, one.recording, index(Series::kDeaths)), 1000.0);
}

TEST(Simulation, ReplicatesAndSeedsGiveDifferentRealisations) {
  const Model m = tiny_model();
  const ReplicateResult r0 = run_with_threads(m, 2, 0);
  const ReplicateResult r1 = run_with_threads(m, 2, 1);
  const ReplicateResult other_seed = run_with_threads(tiny_model({"run.seed=8"}), 2, 0);
  EXPECT_NE(r0.recording.scalar, r1.recording.scalar);
  EXPECT_NE(r0.recording.scalar, other_seed.recording.scalar);
  EXPECT_EQ(r0.recording.scalar, run_with_threads(m, 1, 0).recording.scalar);
}

TEST(Simulation, CheckpointScreensExactlyItsCapacityWhenOverwhelmed) {
  // 3.0 agents per step at a checkpoint everyone reaches at once.
  const Model m =
      tiny_model({"checkpoints[0].throughput_per_day=6", "decisions.base_rate_per_day=5"});
  State s = make_state(m);
  std::vector<std::int64_t> screened;
  run_replicate(m, 0, s, [&](const State& state, const char* stage) {
    if (std::string_view(stage) == "screening") screened.push_back(state.checkpoint_screened[0]);
  });
  ASSERT_EQ(screened.size(), static_cast<std::size_t>(m.steps));
  int full_steps = 0;
  for (std::int64_t k : screened) {
    EXPECT_LE(k, 3);
    full_steps += k == 3;
  }
  EXPECT_GT(full_steps, m.steps / 2);  // the queue is long for most of the run
}

TEST(Simulation, DeathsOnAnEdgeFollowItsDailyHazard) {
  // Everyone leaves on day one and walks one 40-day edge with hazard 0.01/day,
  // then reaches a destination. Expected deaths: N (1 - exp(-0.4)).
  const std::string text = R"(
time: {start: 2022-01-01, end: 2022-03-31}
population: {agents: 50000}
regions:
  - {name: r, population_share: 1, origin: a, push_factors: {economic_hardship: 0, repression: 0}}
decisions: {base_rate_per_day: 10}
route:
  nodes: [{name: a, kind: origin}, {name: b, kind: destination}]
  edges: [{from: a, to: b, travel_days: 40, mortality_per_day: 0.01}]
)";
  const Model m = compile(parse_scenario(text, "inline.yaml"));
  State s = make_state(m);
  run_replicate(m, 0, s);
  const double n = m.agents;
  const double p = 1.0 - std::exp(-0.4);
  const double deaths = series_total(m, s.recording, index(Series::kDeaths));
  EXPECT_NEAR(deaths / n, p, 5.0 * std::sqrt(p * (1 - p) / n));
  EXPECT_EQ(
      static_cast<double>(s.status_counts[static_cast<std::size_t>(Status::kEvaded)]) + deaths, n);
}

TEST(Simulation, DetectionAndAsylumClaimsFollowTheirProbabilities) {
  const Model m = tiny_model({"population.agents=40000", "decisions.base_rate_per_day=0.05"});
  State s = make_state(m);
  run_replicate(m, 0, s);
  const auto total = [&](Series f) { return series_total(m, s.recording, index(f)); };
  const double screened = total(Series::kApprehensions) + total(Series::kEvaded);
  ASSERT_GT(screened, 1000);
  const double p = 0.8;
  EXPECT_NEAR(total(Series::kApprehensions) / screened, p, 5 * std::sqrt(p * (1 - p) / screened));
  const double q = 0.5;
  const double detected = total(Series::kApprehensions);
  EXPECT_NEAR(total(Series::kAsylumClaims) / detected, q, 5 * std::sqrt(q * (1 - q) / detected));
  EXPECT_EQ(total(Series::kBorderEncounters),
            total(Series::kApprehensions));  // the one checkpoint is on a border node
}

TEST(Simulation, DecisionHazardFollowsThePushFactors) {
  // South: constant push 0.6 hardship, 0.1 repression; hazard 0.002 exp(1.5*0.6 + 0.5*0.1)/day.
  const Model m = tiny_model({"population.agents=200000"});
  State s = make_state(m);
  initialize_population(m, 0, s);
  s.step = 0;
  update_environment(m, s);
  make_decisions(m, s);
  const std::uint32_t first = m.region_first_agent[1], last = m.region_first_agent[2];
  double left = 0;
  for (std::uint32_t i = first; i < last; ++i) left += s.home_status[i] == Status::kAspiring;
  const double n = last - first;
  const double p = 1 - std::exp(-0.002 * std::exp(1.5 * 0.6 + 0.5 * 0.1));
  EXPECT_NEAR(left / n, p, 5 * std::sqrt(p * (1 - p) / n));
}

}  // namespace
}  // namespace migrasim
