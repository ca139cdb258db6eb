// Whole scenarios run in memory, for the engine's tests: the recorded series
// of one replicate, with the invariants checked after every step.
#pragma once

#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

#include "engine/invariants.hpp"
#include "engine/simulation.hpp"
#include "model/model.hpp"

namespace migrasim::testing {

struct Result {
  Model m;
  Recording r;
  std::vector<double> series(Series s) const {
    const auto steps = static_cast<std::size_t>(m.steps);
    const auto first = r.scalar.begin() + static_cast<long>(index(s) * steps);
    return {first, first + static_cast<long>(steps)};
  }
  double total(Series s) const {
    const auto v = series(s);
    return std::accumulate(v.begin(), v.end(), 0.0);
  }
  double total_from(Series s, std::int32_t step) const {
    const auto v = series(s);
    return std::accumulate(v.begin() + step, v.end(), 0.0);
  }
  double node_arrivals_from(const std::string& node, std::int32_t step) const {
    std::size_t n = 0;
    while (m.node_name[n] != node) ++n;
    const auto steps = static_cast<std::size_t>(m.steps);
    double sum = 0.0;
    for (auto t = static_cast<std::size_t>(step); t < steps; ++t) {
      sum += r.axis[index(AxisSeries::kNodeArrivals)][t * m.node_count() + n];
    }
    return sum;
  }
};

// The head of the small one-region scenarios of the engine's tests: from
// 2023-01-01 to `end`, 20,000 agents of one person in region `sahel` (origin
// node `home`, no push factors), 10 groups, a base rate of 1% a day. Extra
// `population` keys, each on its own line indented two spaces, go in
// `population_keys`; the route and the rest follow.
inline std::string one_region_head(const std::string& end,
                                   const std::string& population_keys = "") {
  return "time: {start: 2023-01-01, end: " + end +
         "}\n"
         "population:\n  agents: 20000\n  persons_per_agent: 1\n" +
         population_keys +
         "regions:\n"
         "  - {name: sahel, population_share: 1, origin: home, push_factors: "
         "{economic_hardship: 0, repression: 0}}\n"
         "communities: {count: 10}\n"
         "decisions: {base_rate_per_day: 0.01}\n";
}

// Runs a whole scenario text, checking the invariants after every step.
inline Result run_scenario_text(const std::string& text,
                                const std::vector<std::string>& overrides = {}) {
  Result result{compile(parse_scenario(text, "policy.yaml", overrides)), {}};
  State s = make_state(result.m);
  run_replicate(result.m, 0, s, [&](const State& state, const char* stage) {
    if (std::string_view(stage) != "recording") return;
    ASSERT_EQ(find_invariant_violation(result.m, state), "") << "step " << state.step;
  });
  result.r = s.recording;
  return result;
}

}  // namespace migrasim::testing
