// Interventions: each moves its direct target the right way on a small
// scenario, and one that changes nothing changes nothing, to the bit.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "engine/invariants.hpp"
#include "engine/policy.hpp"
#include "engine/simulation.hpp"
#include "engine_support.hpp"
#include "model/model.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

using testing::Result;
using testing::run_scenario_text;

// A corridor with a smuggled crossing, an entry check and a border patrol.
std::string corridor(const std::string& interventions) {
  return R"(
time: {start: 2023-01-01, end: 2023-06-30}
population: {agents: 20000, persons_per_agent: 1, falsified_documents_share: 0.3, high_risk_share: 0.05}
regions:
  - {name: north, population_share: 0.5, origin: home, push_factors: {economic_hardship: 0, repression: 0}}
  - {name: south, population_share: 0.5, origin: home, push_factors: {economic_hardship: 0, repression: 0}}
communities: {count: 20}
information: {initial_route_awareness: 1, learning_rate_per_day: 0.2, prior_danger: 0.02}
decisions: {base_rate_per_day: 0.01}
route:
  nodes:
    - {name: home, kind: origin}
    - {name: hub, kind: transit}
    - {name: crossing, kind: transit}
    - {name: border, kind: border}
    - {name: abroad, kind: destination}
  edges:
    - {from: home, to: hub, travel_days: 2}
    - {from: hub, to: crossing, travel_days: 3, smuggler: required}
    - {from: crossing, to: border, travel_days: 2}
    - {from: border, to: abroad, travel_days: 1}
smugglers:
  - {name: ring, covers: [[hub, crossing]], capacity_per_day: 150, max_capacity_per_day: 150, fee_usd: 1000}
checkpoints:
  - {name: entry, node: hub, detection_probability: 0, document_sensitivity: 0.1, high_risk_sensitivity: 0.1}
  - {name: patrol, node: border, detection_probability: 0.5, document_sensitivity: 0.2,
     high_risk_sensitivity: 0.2, false_positive_rate: 0.01, asylum_claim_probability: 0.8}
)" + (interventions.empty() ? std::string() : "interventions:\n" + interventions);
}

Result run(const std::string& interventions) { return run_scenario_text(corridor(interventions)); }

constexpr std::int32_t kMarch = 59;  // 2023-03-01 is step 59

TEST(Policy, AnInterventionThatChangesNothingChangesNothing) {
  const Result base = run("");
  const Result noop = run(R"(
  - {type: smuggling_task_force, start: 2023-03-01, arrest_rate_per_day: 0, client_detection_boost: 0}
  - {type: screening_upgrade, start: 2023-03-01, checkpoints: [patrol]}
  - {type: outreach_campaign, start: 2023-03-01, reach_per_day: 0.5, credibility: 0}
  - {type: data_sharing, start: 2023-03-01, checkpoints: [patrol], partners: [entry], match_rate: 0}
)");
  EXPECT_EQ(base.r.scalar, noop.r.scalar);
  EXPECT_EQ(base.r.axis, noop.r.axis);
}

TEST(Policy, TaskForceCutsSmugglerCapacity) {
  const Result base = run("");
  const Result raided =
      run("  - {type: smuggling_task_force, start: 2023-03-01, arrest_rate_per_day: 0.02, "
          "cost_usd_per_day: 1000}\n");
  const auto before = base.series(Series::kSmugglerCapacity);
  const auto after = raided.series(Series::kSmugglerCapacity);
  EXPECT_EQ(after[kMarch - 1], before[kMarch - 1]);
  EXPECT_LT(after.back(), before.back() * 0.5);
  EXPECT_LT(raided.total(Series::kSmuggledDepartures), base.total(Series::kSmuggledDepartures));
  // It costs what it says for every day in force (March to June: 122 days).
  EXPECT_DOUBLE_EQ(raided.total(Series::kInterventionCostUsd), 122 * 1000.0);
  EXPECT_EQ(raided.total_from(Series::kInterventionCostUsd, 0) -
                raided.total_from(Series::kInterventionCostUsd, kMarch),
            0.0);
}

TEST(Policy, TaskForceIntelligenceRaisesDetectionOfClients) {
  const Result base = run("");
  const Result intel =
      run("  - {type: smuggling_task_force, start: 2023-03-01, checkpoints: [patrol], "
          "client_detection_boost: 0.6}\n");
  const double base_rate = base.total_from(Series::kApprehensions, kMarch + 10) /
                           (base.total_from(Series::kApprehensions, kMarch + 10) +
                            base.total_from(Series::kEvaded, kMarch + 10));
  const double intel_rate = intel.total_from(Series::kApprehensions, kMarch + 10) /
                            (intel.total_from(Series::kApprehensions, kMarch + 10) +
                             intel.total_from(Series::kEvaded, kMarch + 10));
  EXPECT_GT(intel_rate, base_rate + 0.1);
}

TEST(Policy, OutreachRaisesPerceivedDanger) {
  const Result base = run("");
  const Result outreach =
      run("  - {type: outreach_campaign, start: 2023-03-01, reach_per_day: 0.1, danger_message: "
          "0.3, credibility: 0.7, decay_days: 30}\n");
  const auto before = base.series(Series::kMeanPerceivedDanger);
  const auto after = outreach.series(Series::kMeanPerceivedDanger);
  EXPECT_EQ(after[kMarch - 1], before[kMarch - 1]);
  EXPECT_GT(after[kMarch + 30], before[kMarch + 30] + 0.05);
}

TEST(Policy, OutreachAboutLegalPathwaysSpreadsAwarenessOfThem) {
  const Result pathway =
      run("  - {type: legal_pathway, name: parole, start: 2023-03-01, capacity_per_day: 20}\n");
  const Result with_outreach =
      run("  - {type: legal_pathway, name: parole, start: 2023-03-01, capacity_per_day: 20}\n"
          "  - {type: outreach_campaign, start: 2023-03-01, reach_per_day: 0.2, "
          "legal_pathways_message: 1, credibility: 0.8}\n");
  EXPECT_EQ(pathway.total(Series::kLegalPathwayEntries), 0.0);  // nobody knows of it
  EXPECT_GT(with_outreach.total(Series::kLegalPathwayEntries), 300.0);
  EXPECT_EQ(with_outreach.total_from(Series::kLegalPathwayEntries, 0) -
                with_outreach.total_from(Series::kLegalPathwayEntries, kMarch),
            0.0);
}

TEST(Policy, ScreeningUpgradeCatchesMoreDocumentsAtTheStatedFalsePositiveRate) {
  const Result base = run("");
  const Result upgrade =
      run("  - {type: screening_upgrade, start: 2023-03-01, checkpoints: [patrol], "
          "document_sensitivity: 0.9, "
          "false_positive_rate: 0.05}\n");
  EXPECT_GT(upgrade.total_from(Series::kFalsifiedDocsDetected, kMarch + 10),
            2 * base.total_from(Series::kFalsifiedDocsDetected, kMarch + 10));
  EXPECT_GT(upgrade.total_from(Series::kFalsePositives, kMarch + 10),
            3 * base.total_from(Series::kFalsePositives, kMarch + 10));
}

TEST(Policy, ScreeningUpgradeRampsUp) {
  const Result upgrade =
      run("  - {type: screening_upgrade, start: 2023-03-01, checkpoints: [patrol], "
          "throughput_per_day: 5, ramp_up_days: 10}\n");
  EXPECT_GT(upgrade.total(Series::kHeldAtCheckpoints), 0.0);  // throughput now binds
}

TEST(Policy, DataSharingHelpsFlagHighRiskTravellers) {
  const Result base = run("");
  const Result shared =
      run("  - {type: data_sharing, start: 2023-01-01, checkpoints: [patrol], partners: [entry], "
          "match_rate: 0.8}\n");
  EXPECT_GT(shared.total(Series::kHighRiskDetected), base.total(Series::kHighRiskDetected) * 1.5);
  EXPECT_LT(shared.total(Series::kHighRiskMissed), base.total(Series::kHighRiskMissed));
}

TEST(Policy, VisaPolicyStopsEntriesAfterItsDate) {
  const Result visa =
      run("  - {type: visa_policy, start: 2023-03-01, node: hub, regions: [north, south]}\n");
  // Travellers set out for the hub by 2023-02-28 arrive by March 2 (two-day edge).
  EXPECT_EQ(visa.node_arrivals_from("hub", kMarch + 2), 0.0);
  EXPECT_GT(visa.node_arrivals_from("hub", 0), 500.0);
  const Result north_only =
      run("  - {type: visa_policy, start: 2023-03-01, node: hub, regions: [north]}\n");
  EXPECT_GT(north_only.node_arrivals_from("hub", kMarch + 2), 0.0);
}

TEST(Policy, EndedInterventionsStopActing) {
  const Result visa =
      run("  - {type: visa_policy, start: 2023-02-01, end: 2023-02-28, node: hub, regions: [north, "
          "south]}\n");
  EXPECT_EQ(visa.node_arrivals_from("hub", 33) - visa.node_arrivals_from("hub", kMarch + 1), 0.0);
  EXPECT_GT(visa.node_arrivals_from("hub", kMarch + 1), 0.0);
}

// A standing rule of the scenario and the intervention that says the same
// compile into the same record: same bits.
TEST(Policy, StandingVisaRuleActsAsTheEqualIntervention) {
  std::string standing = corridor("");
  const std::string hub = "    - {name: hub, kind: transit}\n";
  standing.replace(
      standing.find(hub), hub.size(),
      "    - {name: hub, kind: transit, visa_required: [{regions: [north], from: 2023-03-01, "
      "until: 2023-05-01}]}\n");
  const Result by_rule = run_scenario_text(standing);
  const Result by_intervention = run(
      "  - {type: visa_policy, start: 2023-03-01, end: 2023-04-30, node: hub, regions: [north]}\n");
  EXPECT_EQ(by_rule.r.scalar, by_intervention.r.scalar);
  EXPECT_EQ(by_rule.r.axis, by_intervention.r.axis);
  EXPECT_NE(by_rule.r.axis, run("").r.axis);
}

TEST(Policy, StandingLegalPathwayActsAsTheEqualIntervention) {
  const std::vector<std::string> aware = {"information.initial_legal_awareness=0.5"};
  const Result by_rule = run_scenario_text(
      corridor("") +
          "legal_pathways:\n  - {name: parole, capacity_per_day: 20, regions: [south], "
          "from: 2023-02-01, until: 2023-04-01, wait_days: 10}\n",
      aware);
  const Result by_intervention = run_scenario_text(
      corridor("  - {type: legal_pathway, name: parole, start: 2023-02-01, end: 2023-03-31, "
               "capacity_per_day: 20, regions: [south], wait_days: 10}\n"),
      aware);
  EXPECT_EQ(by_rule.r.scalar, by_intervention.r.scalar);
  EXPECT_EQ(by_rule.r.axis, by_intervention.r.axis);
  EXPECT_GT(by_rule.total(Series::kLegalPathwayEntries), 0.0);
}

TEST(Policy, TargetsMustExist) {
  const auto error = [](const std::string& interventions) {
    try {
      compile(parse_scenario(corridor(interventions), "policy.yaml"));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(
      error("  - {type: screening_upgrade, start: 2023-03-01, checkpoints: [nowhere]}\n")
          .find("interventions[0].checkpoints[0]: unknown checkpoint 'nowhere'; known checkpoints: "
                "entry, patrol"),
      std::string::npos);
  EXPECT_NE(error("  - {type: visa_policy, start: 2023-03-01, node: hub}\n")
                .find("missing required key 'regions'"),
            std::string::npos);
  EXPECT_NE(error("  - {type: teleport, start: 2023-03-01}\n")
                .find("unknown intervention type 'teleport'"),
            std::string::npos);
  EXPECT_NE(error("  - {type: outreach_campaign, start: 2023-03-01, checkpoints: [patrol]}\n")
                .find("unknown key"),
            std::string::npos);
  EXPECT_NE(error("  - {type: visa_policy, start: 2023-03-01, end: 2023-02-01, node: hub, regions: "
                  "[north]}\n")
                .find("'end' is before 'start'"),
            std::string::npos);
}

}  // namespace
}  // namespace migrasim
