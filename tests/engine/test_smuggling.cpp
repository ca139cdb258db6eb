// The smuggler market: places under capacity, fees, coercion, and how networks
// adapt their fee and capacity.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "engine/invariants.hpp"
#include "engine/simulation.hpp"
#include "model/model.hpp"

namespace migrasim {
namespace {

// Everyone knows the route and decides at once; a -> b is open, b -> c (the
// crossing) needs a smuggler from network "guides".
std::string corridor(const std::string& network, const std::string& rule = "required") {
  return R"(
time: {start: 2022-01-01, end: 2022-03-01}
population: {agents: 20000, persons_per_agent: 1, savings_usd: {median: 20000, sigma: 0}}
regions:
  - {name: r, population_share: 1, origin: a, push_factors: {economic_hardship: 0, repression: 0}}
decisions: {base_rate_per_day: 0.05}
route:
  nodes: [{name: a, kind: origin}, {name: b, kind: transit}, {name: c, kind: destination}]
  edges:
    - {from: a, to: b, travel_days: 2}
    - {from: b, to: c, travel_days: 3, mortality_per_day: 0.01, smuggler: )" +
         rule + R"(}
smugglers:
  - {name: guides, covers: [[b, c]], )" +
         network + R"(}
)";
}

Model compile_text(const std::string& text) { return compile(parse_scenario(text, "inline.yaml")); }

double total(const Model& m, const State& s, Series series) {
  const auto steps = static_cast<std::size_t>(m.steps);
  const auto first = s.recording.scalar.begin() + static_cast<long>(index(series) * steps);
  return std::accumulate(first, first + static_cast<long>(steps), 0.0);
}

std::vector<double> series_of(const Model& m, const State& s, Series series) {
  const auto steps = static_cast<std::size_t>(m.steps);
  const auto first = s.recording.scalar.begin() + static_cast<long>(index(series) * steps);
  return {first, first + static_cast<long>(steps)};
}

std::int64_t count(const State& s, Status status) {
  return s.status_counts[static_cast<std::size_t>(status)];
}

TEST(Smuggling, NoCapacityMeansNoCrossingWhereASmugglerIsRequired) {
  const Model m = compile_text(corridor("capacity_per_day: 0"));
  State s = make_state(m);
  run_replicate(m, 0, s, [&](const State& state, const char* stage) {
    ASSERT_EQ(find_invariant_violation(m, state), "") << stage;
  });
  EXPECT_EQ(total(m, s, Series::kSmuggledDepartures), 0.0);
  EXPECT_EQ(count(s, Status::kEvaded), 0);
  EXPECT_GT(count(s, Status::kWaitingForSmuggler), 10000);
}

TEST(Smuggling, NetworksTakeOnAtMostTheirCapacityAndChargeTheirFee) {
  const Model m = compile_text(corridor("capacity_per_day: 25.5, fee_usd: 8000"));
  State s = make_state(m);
  std::int64_t full_steps = 0;
  run_replicate(m, 0, s, [&](const State& state, const char* stage) {
    if (std::string_view(stage) != "smuggling") return;
    ASSERT_LE(state.smugglers.taken[0], 26);
    full_steps += state.smugglers.taken[0] >= 25;
  });
  EXPECT_GT(full_steps, m.steps / 2);
  const double taken = total(m, s, Series::kSmuggledDepartures);
  EXPECT_EQ(total(m, s, Series::kSmugglerRevenueUsd), taken * 8000);
  // Everyone who crossed paid exactly the fee (the open edge is free).
  for (std::size_t i = 0; i < s.agents.size(); ++i) {
    if (s.agents.status[i] == Status::kEvaded) {
      ASSERT_EQ(s.agents.savings_usd[i], 20000.0f - 8000.0f);
    }
  }
  EXPECT_EQ(series_of(m, s, Series::kSmugglerCapacity).back(), 25.5);
}

TEST(Smuggling, ClientsTravelSaferWithAMortalityMultiplier) {
  const Model m = compile_text(corridor("capacity_per_day: 1000, client_mortality_multiplier: 0"));
  State s = make_state(m);
  run_replicate(m, 0, s);
  EXPECT_GT(count(s, Status::kEvaded), 5000);
  EXPECT_EQ(count(s, Status::kDied), 0);
}

// Clients' deaths when their network's client_mortality_multiplier changes while
// they are on the crossing (x1, a jump to x5, then 0): the travellers it
// concerns redraw their death time, and the deaths of each spell must match the
// exact expectation of a Bernoulli draw at every visit with the edge's hazard
// times the multiplier of the step, from the crossing's departures of each step.
TEST(Smuggling, ClientDeathsFollowAMultiplierThatChangesWhileTheyCross) {
  const Model m =
      compile_text(corridor("capacity_per_day: 1000, client_mortality_multiplier: {2022-01-01: 1, "
                            "2022-01-20: 1, 2022-01-21: 5, 2022-02-05: 5, 2022-02-06: 0}"));
  State s = make_state(m);
  run_replicate(m, 0, s);
  const auto steps = static_cast<std::size_t>(m.steps);
  const std::size_t nedges = m.edge_count();
  const EdgeId crossing = 1;
  const auto& departures = s.recording.axis[index(AxisSeries::kEdgeDepartures)];
  const auto& deaths = s.recording.axis[index(AxisSeries::kEdgeDeaths)];
  const int travel = 3;
  const auto hazard = [&](std::size_t v) {
    const auto t = static_cast<std::int32_t>(v);
    return m.edge_death_hazard[crossing].at(t) * m.network_mortality_multiplier[0].at(t);
  };
  // Spells of steps: [0, 19) x1, [19, 36) rising to and at x5, [36, end) none.
  const std::vector<std::size_t> spells = {0, 19, 36, steps};
  for (std::size_t w = 0; w + 1 < spells.size(); ++w) {
    double expected = 0.0, variance = 0.0, observed = 0.0;
    for (std::size_t t = spells[w]; t < spells[w + 1]; ++t)
      observed += deaths[t * nedges + crossing];
    // A client taken on in step d (before movement) is visited in d .. d + 2.
    for (std::size_t d = 0; d < steps; ++d) {
      double alive = 1.0, q = 0.0;
      for (std::size_t v = d; v < std::min(steps, d + travel); ++v) {
        const double p = -std::expm1(-hazard(v));
        if (v >= spells[w] && v < spells[w + 1]) q += alive * p;
        alive *= 1.0 - p;
      }
      const double n = departures[d * nedges + crossing];
      expected += n * q;
      variance += n * q * (1.0 - q);
    }
    if (expected == 0.0) {
      EXPECT_EQ(observed, 0.0) << "spell " << w;
    } else {
      EXPECT_NEAR(observed, expected, 5.0 * std::sqrt(variance)) << "spell " << w;
    }
  }
  EXPECT_GT(total(m, s, Series::kDeaths), 300.0);
}

TEST(Smuggling, FeeRisesUnderExcessDemandAndFallsWithoutIt) {
  const Model busy =
      compile_text(corridor("capacity_per_day: 5, fee_usd: 8000, price_response_per_day: 0.01"));
  State s = make_state(busy);
  run_replicate(busy, 0, s);
  const std::vector<double> fee = series_of(busy, s, Series::kMeanSmugglingFeeUsd);
  EXPECT_GT(fee.back(), 8000 * 1.5);
  for (std::size_t t = 10; t < fee.size(); ++t) ASSERT_GE(fee[t], fee[t - 1]) << t;

  std::string quiet_text = corridor(
      "capacity_per_day: 5, fee_usd: 8000, min_fee_usd: 7000, price_response_per_day: 0.01");
  quiet_text.replace(quiet_text.find("base_rate_per_day: 0.05"), 23, "base_rate_per_day: 0");
  const Model quiet = compile_text(quiet_text);
  State q = make_state(quiet);
  run_replicate(quiet, 0, q);
  const std::vector<double> quiet_fee = series_of(quiet, q, Series::kMeanSmugglingFeeUsd);
  // No demand: the fee falls by exp(-0.01) a day until it reaches its floor.
  EXPECT_DOUBLE_EQ(quiet_fee[0], 8000 * std::exp(-0.01));
  EXPECT_DOUBLE_EQ(quiet_fee.back(), 7000);
}

TEST(Smuggling, CapacityGrowsWhenProfitableAndShrinksUnderEnforcement) {
  const Model growing =
      compile_text(corridor("capacity_per_day: 5, fee_usd: 8000, cost_per_client_usd: 2000, "
                            "recruitment_rate_per_day: 0.05, "
                            "max_capacity_per_day: 50"));
  State g = make_state(growing);
  run_replicate(growing, 0, g);
  const std::vector<double> capacity = series_of(growing, g, Series::kSmugglerCapacity);
  // No one waits until the first travellers reach b; from then on demand
  // exceeds capacity, so with a 75% margin capacity grows by 1 + 0.05 * 0.75 a day.
  std::size_t first_growth = 1;
  while (first_growth < capacity.size() && capacity[first_growth] == capacity[first_growth - 1])
    ++first_growth;
  ASSERT_LT(first_growth, capacity.size());
  EXPECT_EQ(capacity[first_growth - 1], 5.0);
  EXPECT_DOUBLE_EQ(capacity[first_growth], 5 * (1 + 0.05 * 0.75));
  for (std::size_t t = first_growth + 1; t < capacity.size(); ++t) {
    ASSERT_NEAR(capacity[t], std::min(50.0, capacity[t - 1] * (1 + 0.05 * 0.75)), 1e-9) << t;
  }

  const Model raided =
      compile_text(corridor("capacity_per_day: 40, enforcement_loss_rate_per_day: 0.02"));
  State r = make_state(raided);
  run_replicate(raided, 0, r);
  const std::vector<double> left = series_of(raided, r, Series::kSmugglerCapacity);
  EXPECT_NEAR(left.back(), 40 * std::exp(-0.02 * static_cast<double>(raided.steps)), 1e-9);
}

TEST(Smuggling, CoercionFollowsItsProbabilityAndDebt) {
  // Savings 20,000 against a fee of 8,000: nobody is in debt.
  const Model m =
      compile_text(corridor("capacity_per_day: 1000, fee_usd: 8000, coercion_probability: 0.2, "
                            "coercion_probability_in_debt: 0.9, client_mortality_multiplier: 0"));
  State s = make_state(m);
  run_replicate(m, 0, s);
  const double clients = total(m, s, Series::kSmuggledDepartures);
  const double coerced = total(m, s, Series::kCoercedArrivals);
  ASSERT_GT(clients, 5000);
  // Every client with no deaths arrives by the end, bar the last few days' intake.
  const auto arrived_paid = static_cast<double>(count(s, Status::kEvaded));
  EXPECT_NEAR(coerced / arrived_paid, 0.2, 5 * std::sqrt(0.2 * 0.8 / arrived_paid));

  std::string poor_text = corridor(
      "capacity_per_day: 1000, fee_usd: 8000, coercion_probability: 0.2, "
      "coercion_probability_in_debt: 0.9, client_mortality_multiplier: 0");
  poor_text.replace(poor_text.find("median: 20000"), 13, "median: 1000");
  const Model poor = compile_text(poor_text);
  State p = make_state(poor);
  run_replicate(poor, 0, p);
  const double arrived = static_cast<double>(count(p, Status::kEvaded));
  EXPECT_NEAR(total(poor, p, Series::kCoercedArrivals) / arrived, 0.9,
              5 * std::sqrt(0.9 * 0.1 / arrived));
}

TEST(Smuggling, OptionalSmugglersAreSkippedByThoseWhoCannotPayOrWaitTooLong) {
  std::string text = corridor("capacity_per_day: 0.5, fee_usd: 8000", "optional");
  text.replace(text.find("decisions: {base_rate_per_day: 0.05}"), 36,
               "decisions: {base_rate_per_day: 0.05, smuggler_wait_days: 5}");
  const Model m = compile_text(text);
  State s = make_state(m);
  run_replicate(m, 0, s);
  // Places are scarce: most go alone after five days' wait, and some die alone.
  EXPECT_GT(count(s, Status::kEvaded), 10000);
  EXPECT_LT(total(m, s, Series::kSmuggledDepartures), 40);
  EXPECT_GT(count(s, Status::kDied), 0);
}

TEST(Smuggling, ScenarioErrorsNameTheNetwork) {
  const auto error = [](const std::string& text) {
    try {
      compile_text(text);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  std::string uncovered = corridor("capacity_per_day: 1");
  uncovered.replace(uncovered.find("covers: [[b, c]]"), 16, "covers: [[a, b]]");
  EXPECT_NE(error(uncovered).find("smugglers[0].covers[0]: edge a -> b has smuggler: none"),
            std::string::npos)
      << error(uncovered);
  std::string missing = corridor("capacity_per_day: 1");
  missing.replace(missing.find("covers: [[b, c]]"), 16, "covers: [[a, c]]");
  EXPECT_NE(error(missing).find("there is no edge a -> c"), std::string::npos) << error(missing);
  std::string nobody = corridor("capacity_per_day: 1");
  nobody.replace(nobody.find("smugglers:"), std::string::npos, "");
  EXPECT_NE(error(nobody).find("smuggler: required, but no smuggling network covers b -> c"),
            std::string::npos)
      << error(nobody);
}

}  // namespace
}  // namespace migrasim
