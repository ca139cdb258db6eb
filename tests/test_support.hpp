// Small scenarios written inline, for the unit tests.
#pragma once

#include <string>

namespace migrasim::testing {

// A complete, valid scenario: one origin, a branching route with a checkpoint
// at the border, two regions. Line numbers below are relied on by tests that
// check error positions: keep the layout as it is.
inline std::string tiny_scenario_yaml() {
  return R"(name: tiny
time:
  start: 2022-01-01
  end: 2022-03-01
  step_days: 1
run:
  seed: 7
  replicates: 2
population:
  agents: 4000
  persons_per_agent: 2
regions:
  - name: north
    population_share: 0.75
    origin: home
    push_factors:
      economic_hardship: {2022-01-01: 0.2, 2022-03-01: 0.8}
      repression: 0.5
  - name: south
    population_share: 0.25
    origin: home
    push_factors:
      economic_hardship: 0.6
      repression: 0.1
decisions:
  base_rate_per_day: 0.002
  hardship_weight: 1.5
  repression_weight: 0.5
route:
  nodes:
    - {name: home, kind: origin}
    - {name: hub, kind: transit}
    - {name: jungle, kind: transit}
    - {name: road, kind: transit}
    - {name: border, kind: border}
    - {name: north_land, kind: destination}
  edges:
    - {from: home, to: hub, travel_days: 2, cost_usd: 500}
    - {from: hub, to: jungle, travel_days: 4, cost_usd: 300, mortality_per_day: 0.001, choice_weight: 3}
    - {from: hub, to: road, travel_days: 6, cost_usd: 900, choice_weight: 1}
    - {from: jungle, to: border, travel_days: 3}
    - {from: road, to: border, travel_days: 2}
    - {from: border, to: north_land, travel_days: 1}
checkpoints:
  - name: border_patrol
    node: border
    detection_probability: 0.8
    throughput_per_day: 40
    asylum_claim_probability: 0.5
asylum:
  capacity_per_day: 10
  min_processing_days: 5
)";
}

// The tiny scenario with the first occurrence of `from` replaced by `to`.
inline std::string tiny_with(const std::string& from, const std::string& to) {
  std::string text = tiny_scenario_yaml();
  const auto at = text.find(from);
  if (at == std::string::npos) return "# replacement target not found: " + from;
  return text.replace(at, from.size(), to);
}

}  // namespace migrasim::testing
