// One asylum system per destination, and the asylum_policy intervention: each
// system hears the claims made on the way to its destination, decides them at
// its own pace and by its own rules, and a policy changes them while in force.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "engine_support.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

using testing::one_region_head;
using testing::Result;
using testing::run_scenario_text;

// From a hub, half go east and half go west; each border detects everyone and
// everyone detected claims asylum. Claim strengths are all close to 0.5.
std::string two_destinations(const std::string& asylum, const std::string& interventions = "") {
  return one_region_head("2023-06-30",
                         "  asylum_claim_strength: {mean: 0.5, concentration: 1000000}\n") +
         R"(
route:
  nodes:
    - {name: home, kind: origin}
    - {name: hub, kind: transit}
    - {name: east_border, kind: border}
    - {name: west_border, kind: border}
    - {name: east, kind: destination}
    - {name: west, kind: destination}
  edges:
    - {from: home, to: hub, travel_days: 1}
    - {from: hub, to: east_border, travel_days: 2}
    - {from: hub, to: west_border, travel_days: 2}
    - {from: east_border, to: east, travel_days: 1}
    - {from: west_border, to: west, travel_days: 1}
checkpoints:
  - {name: east_patrol, node: east_border, detection_probability: 1, asylum_claim_probability: 1}
  - {name: west_patrol, node: west_border, detection_probability: 1, asylum_claim_probability: 1}
asylum:
)" + asylum +
         (interventions.empty() ? std::string() : "interventions:\n" + interventions);
}

const std::string kTwoSystems = R"(
  - {name: east_system, nodes: [east], min_processing_days: 10}
  - {name: west_system, nodes: [west], min_processing_days: 30}
)";

// A node series summed over steps [from, to) at `node`.
double at_node(const Result& r, AxisSeries series, const std::string& node, std::int32_t from = 0,
               std::int32_t to = -1) {
  std::size_t n = 0;
  while (r.m.node_name[n] != node) ++n;
  if (to < 0) to = r.m.steps;
  double sum = 0.0;
  for (auto t = static_cast<std::size_t>(from); t < static_cast<std::size_t>(to); ++t)
    sum += r.r.axis[index(series)][t * r.m.node_count() + n];
  return sum;
}

// The first step with a value above 0 at `node`, or -1.
std::int32_t first_at_node(const Result& r, AxisSeries series, const std::string& node) {
  for (std::int32_t t = 0; t < r.m.steps; ++t) {
    if (at_node(r, series, node, t, t + 1) > 0.0) return t;
  }
  return -1;
}

// The first step a claim made at `node` is decided.
std::int32_t first_decision(const Result& r, const std::string& node) {
  const std::int32_t granted = first_at_node(r, AxisSeries::kNodeAsylumGranted, node);
  const std::int32_t removed = first_at_node(r, AxisSeries::kNodeRemoved, node);
  return granted < 0 ? removed : (removed < 0 ? granted : std::min(granted, removed));
}

// The first step checkpoint c records a claim.
std::int32_t first_claim(const Result& r, std::size_t c) {
  const auto& v = r.r.axis[index(AxisSeries::kCheckpointAsylumClaims)];
  for (std::int32_t t = 0; t < r.m.steps; ++t) {
    if (v[static_cast<std::size_t>(t) * r.m.checkpoint_count() + c] > 0.0) return t;
  }
  return -1;
}

double at_checkpoint(const Result& r, AxisSeries series, std::size_t c) {
  const auto& v = r.r.axis[index(series)];
  double sum = 0.0;
  for (std::size_t k = c; k < v.size(); k += r.m.checkpoint_count()) sum += v[k];
  return sum;
}

TEST(AsylumSystems, EachBorderSendsItsClaimsToItsDestinationsSystem) {
  const Result r = run_scenario_text(two_destinations(kTwoSystems));
  ASSERT_EQ(r.m.asylum_system_count(), 2u);
  EXPECT_EQ(r.m.node_asylum_system[2], 0);  // east_border, through east
  EXPECT_EQ(r.m.node_asylum_system[3], 1);  // west_border, through west
  // Each system waits its own processing time after the first claims.
  EXPECT_EQ(first_decision(r, "east_border"), first_claim(r, 0) + 10);
  EXPECT_EQ(first_decision(r, "west_border"), first_claim(r, 1) + 30);
  // Every decision is counted at the node of the claim and in the totals.
  const double decided = r.total(Series::kAsylumGranted) + r.total(Series::kRemoved);
  EXPECT_EQ(at_node(r, AxisSeries::kNodeAsylumGranted, "east_border") +
                at_node(r, AxisSeries::kNodeAsylumGranted, "west_border"),
            r.total(Series::kAsylumGranted));
  EXPECT_EQ(at_node(r, AxisSeries::kNodeRemoved, "east_border") +
                at_node(r, AxisSeries::kNodeRemoved, "west_border"),
            r.total(Series::kRemoved));
  // Claim strength 0.5: half of the decided claims are granted.
  EXPECT_NEAR(r.total(Series::kAsylumGranted) / decided, 0.5, 4 * std::sqrt(0.25 / decided));
}

TEST(AsylumSystems, OneSystemNamingEveryDestinationIsTheSingleMapping) {
  const Result single = run_scenario_text(two_destinations("  capacity_per_day: 7\n"));
  const Result listed = run_scenario_text(
      two_destinations("  - {name: all, nodes: [east, west], capacity_per_day: 7}\n"));
  EXPECT_EQ(single.r.scalar, listed.r.scalar);
  EXPECT_EQ(single.r.axis, listed.r.axis);
}

TEST(AsylumSystems, CapacityAndRulesAreEachSystemsOwn) {
  const Result r = run_scenario_text(two_destinations(R"(
  - {name: east_system, nodes: [east], capacity_per_day: 3, removal_cost_usd: 1000}
  - {name: west_system, nodes: [west], min_claim_strength: 0.6, removal_probability: 0}
)"));
  // East decides at most 3 a day; west decides everyone at once.
  for (std::int32_t t = 0; t < r.m.steps; ++t) {
    EXPECT_LE(at_node(r, AxisSeries::kNodeAsylumGranted, "east_border", t, t + 1) +
                  at_node(r, AxisSeries::kNodeRemoved, "east_border", t, t + 1),
              3.0);
  }
  // West denies every claim (all are weaker than 0.6) and removes nobody.
  EXPECT_EQ(at_node(r, AxisSeries::kNodeAsylumGranted, "west_border"), 0.0);
  EXPECT_EQ(at_node(r, AxisSeries::kNodeRemoved, "west_border"), 0.0);
  EXPECT_EQ(r.total(Series::kDeniedNotRemoved),
            at_checkpoint(r, AxisSeries::kCheckpointAsylumClaims, 1));
  // Removals are paid for where they happen.
  EXPECT_GT(r.total(Series::kRemoved), 0.0);
  EXPECT_EQ(r.total(Series::kRemovalCostUsd), 1000.0 * r.total(Series::kRemoved));
}

TEST(AsylumSystems, ClaimMultiplierScalesTheChanceOfClaiming) {
  const Result r = run_scenario_text(two_destinations(R"(
  - {name: east_system, nodes: [east], claim_probability_multiplier: 0}
  - {name: west_system, nodes: [west], claim_probability_multiplier: 0.5}
)"));
  EXPECT_EQ(at_checkpoint(r, AxisSeries::kCheckpointAsylumClaims, 0), 0.0);
  EXPECT_GT(at_checkpoint(r, AxisSeries::kCheckpointReturned, 0), 0.0);
  const double west = at_checkpoint(r, AxisSeries::kCheckpointApprehensions, 1);
  EXPECT_NEAR(at_checkpoint(r, AxisSeries::kCheckpointAsylumClaims, 1) / west, 0.5,
              4 * std::sqrt(0.25 / west));
}

TEST(AsylumPolicy, ChangesTheNamedSystemsRulesWhileInForce) {
  constexpr std::int32_t kApril = 90;  // 2023-04-01
  const Result r = run_scenario_text(two_destinations(kTwoSystems, R"(
  - {type: asylum_policy, name: restrictions, systems: [east_system], start: 2023-04-01,
     end: 2023-05-31, grant_probability_multiplier: 0, removal_probability: 0.25,
     removal_cost_usd: 2000}
)"));
  // No claim heard in the east is granted while the policy is in force...
  EXPECT_GT(at_node(r, AxisSeries::kNodeAsylumGranted, "east_border", 0, kApril), 0.0);
  EXPECT_EQ(at_node(r, AxisSeries::kNodeAsylumGranted, "east_border", kApril, kApril + 61), 0.0);
  EXPECT_GT(at_node(r, AxisSeries::kNodeAsylumGranted, "east_border", kApril + 61), 0.0);
  // ...nor does it change the west's.
  EXPECT_GT(at_node(r, AxisSeries::kNodeAsylumGranted, "west_border", kApril, kApril + 61), 0.0);
  // A quarter of the east's denied are removed then, each at USD 2,000.
  const double removed = at_node(r, AxisSeries::kNodeRemoved, "east_border", kApril, kApril + 61);
  const double denied = removed + r.total(Series::kDeniedNotRemoved);
  EXPECT_NEAR(removed / denied, 0.25, 4 * std::sqrt(0.25 * 0.75 / denied));
  EXPECT_EQ(r.total(Series::kRemovalCostUsd), 2000.0 * removed);
}

TEST(AsylumPolicy, GrantMultiplierAndCapacity) {
  const Result r = run_scenario_text(two_destinations(kTwoSystems, R"(
  - {type: asylum_policy, name: faster, start: 2023-01-01, grant_probability_multiplier: 1.5,
     capacity_per_day: 4}
)"));
  // Every system (none named): granted with 0.5 x 1.5, at most 4 decided a day each.
  const double decided = r.total(Series::kAsylumGranted) + r.total(Series::kRemoved);
  EXPECT_NEAR(r.total(Series::kAsylumGranted) / decided, 0.75,
              4 * std::sqrt(0.75 * 0.25 / decided));
  const auto granted = r.series(Series::kAsylumGranted);
  const auto removed = r.series(Series::kRemoved);
  for (std::size_t t = 0; t < granted.size(); ++t) EXPECT_LE(granted[t] + removed[t], 8.0);
}

TEST(AsylumSystems, InputErrorsNameTheEntry) {
  const auto message = [](const std::string& text) {
    try {
      run_scenario_text(text);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(
      message(two_destinations("  - {name: a, nodes: [east]}\n  - {name: b, nodes: [east]}\n"))
          .find("asylum[1].nodes[0]: node 'east' already belongs to asylum system 'a'"),
      std::string::npos);
  EXPECT_NE(message(two_destinations("  - {name: a, nodes: [nowhere]}\n"))
                .find("asylum[0].nodes[0]: unknown node 'nowhere'"),
            std::string::npos);
  // Claims at the west border have no system to hear them.
  EXPECT_NE(message(two_destinations("  - {name: a, nodes: [east]}\n"))
                .find("checkpoints[1]: claims can be made at node 'west_border', but no asylum "
                      "system hears them"),
            std::string::npos);
  EXPECT_NE(message(two_destinations(kTwoSystems, R"(
  - {type: asylum_policy, name: x, systems: [north], start: 2023-04-01, removal_probability: 0}
)"))
                .find("interventions[0].systems[0]: unknown asylum system 'north'"),
            std::string::npos);
  EXPECT_NE(message(two_destinations(kTwoSystems, R"(
  - {type: asylum_policy, name: x, start: 2023-04-01, removal_probability: 2}
)"))
                .find("policy.yaml:"),
            std::string::npos);
  EXPECT_NE(
      message(two_destinations("  - {name: a, nodes: [east], capacity: 3}\n")).find("capacity"),
      std::string::npos);
}

}  // namespace
}  // namespace migrasim
