// Resolution independence: the same scenario at 1, 5 and 20 persons per agent
// (agents scaled to keep the persons) gives the same means of the main outputs,
// within replicate noise. The scenario leans on the terms that compare counts
// of outcomes with a weight in persons (deaths against the prior's weight,
// which cut departures fourfold here; guides; a network's reputation): counted
// in agents, the prior would weigh 20 times more at 20 persons per agent and
// departures would be several times higher. One agent's death moves its
// group's danger by persons_per_agent * death_salience / prior_weight = 3% at
// most, so the lumpiness of coarse outcomes stays within the noise
// (docs/model.md, "Resolution", says when it does not).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/simulation.hpp"
#include "engine/state.hpp"
#include "input/scenario.hpp"
#include "model/model.hpp"

namespace migrasim {
namespace {

constexpr double kPersons = 20000.0;
constexpr std::uint32_t kReplicates = 12;

std::string scenario_at(double persons_per_agent) {
  const auto agents = static_cast<long long>(std::llround(kPersons / persons_per_agent));
  return R"(name: resolution
time: {start: 2022-01-01, end: 2022-06-30, step_days: 1}
run: {seed: 11}
population:
  agents: )" +
         std::to_string(agents) +
         R"(
  persons_per_agent: )" +
         std::to_string(persons_per_agent) + R"(
  risk_tolerance: {mean: 0.3, concentration: 4}
regions:
  - {name: r, population_share: 1, origin: home, push_factors: {economic_hardship: 0.5, repression: 0.2}}
communities: {count: 3, size_exponent: 1.0}
information:
  initial_route_awareness: 0.05
  contagion_rate_per_day: 0.03
  guide_rate_per_day: 2.0
  memory_days: 60
  learning_rate_per_day: 0.2
  prior_success: 0.5
  prior_danger: 0.02
  prior_weight: 3000
  death_salience: 5
decisions:
  base_rate_per_day: 0.002
  hardship_weight: 1.0
  success_weight: 3.0
  danger_weight: 30.0
route:
  nodes:
    - {name: home, kind: origin}
    - {name: hub, kind: transit}
    - {name: jungle, kind: transit}
    - {name: border, kind: border}
    - {name: north, kind: destination}
  edges:
    - {from: home, to: hub, travel_days: 2, cost_usd: 500}
    - {from: hub, to: jungle, travel_days: 4, cost_usd: 300, mortality_per_day: 0.05, smuggler: optional}
    - {from: jungle, to: border, travel_days: 3}
    - {from: border, to: north, travel_days: 1}
smugglers:
  - {name: guides, covers: [[hub, jungle]], capacity_per_day: 40, fee_usd: 1000,
     advertising_rate_per_day: 0.002, initial_reputation: 0.5}
checkpoints:
  - {name: patrol, node: border, detection_probability: 0.5, asylum_claim_probability: 0.3}
)";
}

struct Moments {
  double mean = 0.0;
  double variance = 0.0;  // of one replicate, unbiased
};

// Totals over the run of each series in `series`, replicate by replicate.
std::vector<Moments> totals_at(double persons_per_agent, const std::vector<Series>& series) {
  const Model m = compile(parse_scenario(scenario_at(persons_per_agent), "resolution.yaml"));
  std::vector<std::vector<double>> totals(series.size());
  State s = make_state(m);
  for (std::uint32_t r = 0; r < kReplicates; ++r) {
    run_replicate(m, r, s);
    const auto steps = static_cast<std::size_t>(m.steps);
    for (std::size_t k = 0; k < series.size(); ++k) {
      const auto first = s.recording.scalar.begin() + static_cast<long>(index(series[k]) * steps);
      double sum = 0.0;
      for (std::size_t t = 0; t < steps; ++t) sum += first[static_cast<long>(t)];
      totals[k].push_back(sum);
    }
  }
  std::vector<Moments> out;
  const double n = kReplicates;
  for (const auto& x : totals) {
    Moments mo;
    for (double v : x) mo.mean += v / n;
    for (double v : x) mo.variance += (v - mo.mean) * (v - mo.mean) / (n - 1.0);
    out.push_back(mo);
  }
  return out;
}

TEST(Resolution, MainOutputsAgreeAcrossPersonsPerAgent) {
  const std::vector<Series> series{Series::kDepartures, Series::kDeaths, Series::kBorderEncounters,
                                   Series::kSmuggledDepartures, Series::kEvaded};
  const std::vector<const char*> names{"departures", "deaths", "border_encounters",
                                       "smuggled_departures", "evaded"};
  const auto fine = totals_at(1.0, series);
  for (double ppa : {5.0, 20.0}) {
    const auto coarse = totals_at(ppa, series);
    for (std::size_t k = 0; k < series.size(); ++k) {
      // Welch's statistic for the difference of means; 10 comparisons at
      // |t| < 4.5 keep the chance of a false alarm below 1% even with the
      // heavy tails of 12 replicates (t with 11-22 degrees of freedom).
      const double se =
          std::sqrt(fine[k].variance / kReplicates + coarse[k].variance / kReplicates);
      EXPECT_GT(fine[k].mean, 50.0) << names[k] << ": the scenario must exercise it";
      EXPECT_LT(std::abs(coarse[k].mean - fine[k].mean), 4.5 * se)
          << names[k] << " at " << ppa << " persons per agent: " << coarse[k].mean << " vs "
          << fine[k].mean << " at 1 (standard error of the difference " << se << ")";
    }
  }
}

}  // namespace
}  // namespace migrasim
