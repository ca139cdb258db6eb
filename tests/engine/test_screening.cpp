// Screening: detection, falsified documents, high-risk flags and false
// positives, shared records from partner checkpoints, evasion under backlog.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "engine/invariants.hpp"
#include "engine/simulation.hpp"
#include "model/model.hpp"

namespace migrasim {
namespace {

// Everyone leaves at once; "entry" screens at b, "patrol" at the border c.
std::string two_checkpoints(const std::string& population, const std::string& entry,
                            const std::string& patrol) {
  return R"(
time: {start: 2022-01-01, end: 2022-02-15}
population: {agents: 40000, persons_per_agent: 1, )" +
         population + R"(}
regions:
  - {name: r, population_share: 1, origin: a, push_factors: {economic_hardship: 0, repression: 0}}
decisions: {base_rate_per_day: 10}
route:
  nodes: [{name: a, kind: origin}, {name: b, kind: transit}, {name: c, kind: border}, {name: d, kind: destination}]
  edges:
    - {from: a, to: b, travel_days: 1}
    - {from: b, to: c, travel_days: 2}
    - {from: c, to: d, travel_days: 1}
checkpoints:
  - {name: entry, node: b, )" +
         entry + R"(}
  - {name: patrol, node: c, )" +
         patrol + R"(}
)";
}

struct Outcomes {
  Model m;
  State s;
  double total(Series series) const {
    const auto steps = static_cast<std::size_t>(m.steps);
    const auto first = s.recording.scalar.begin() + static_cast<long>(index(series) * steps);
    return std::accumulate(first, first + static_cast<long>(steps), 0.0);
  }
  double node_arrivals(std::size_t node) const {
    const auto steps = static_cast<std::size_t>(m.steps);
    const std::size_t nodes = m.node_count();
    double sum = 0.0;
    for (std::size_t t = 0; t < steps; ++t) {
      sum += s.recording.axis[index(AxisSeries::kNodeArrivals)][t * nodes + node];
    }
    return sum;
  }
  double count(Status status) const {
    return static_cast<double>(s.status_counts[static_cast<std::size_t>(status)]);
  }
};

// Runs replicate 0 as --check does: every invariant at the end of every step,
// the tables after every stage, and a violation traced to the stage that made
// it (the exception fails the test).
Outcomes run(const std::string& text) {
  Outcomes r{compile(parse_scenario(text, "inline.yaml")), {}};
  r.s = make_state(r.m);
  run_replicate_checked(r.m, 0, r.s, InvariantChecks::kEveryStep);
  return r;
}

double tolerance(double p, double n) { return 5 * std::sqrt(p * (1 - p) / n); }

TEST(Screening, PerfectDocumentSensitivityCatchesEveryFalsifiedDocument) {
  const Outcomes r = run(two_checkpoints("falsified_documents_share: 1",
                                         "detection_probability: 0, document_sensitivity: 1",
                                         "detection_probability: 0"));
  EXPECT_EQ(r.total(Series::kFalsifiedDocsDetected), r.m.agents);
  EXPECT_EQ(r.total(Series::kApprehensions), r.m.agents);
  EXPECT_EQ(r.count(Status::kEvaded), 0);
}

TEST(Screening, GenuineDocumentsAreNeverCaughtAsFalsified) {
  const Outcomes r = run(two_checkpoints("falsified_documents_share: 0",
                                         "detection_probability: 0, document_sensitivity: 1",
                                         "detection_probability: 0, document_sensitivity: 1"));
  EXPECT_EQ(r.total(Series::kFalsifiedDocsDetected), 0);
  EXPECT_EQ(r.count(Status::kEvaded), r.m.agents);
}

TEST(Screening, FalsePositivesStopGenuineTravellersAtTheirRate) {
  const Outcomes r = run(two_checkpoints(
      "high_risk_share: 0", "detection_probability: 0",
      "detection_probability: 0, false_positive_rate: 0.1, asylum_claim_probability: 1"));
  const double screened = r.m.agents;  // everyone reaches the patrol, nobody dies
  EXPECT_NEAR(r.total(Series::kFalsePositives) / screened, 0.1, tolerance(0.1, screened));
  // Flagged travellers are returned, never allowed to claim; the rest pass.
  EXPECT_EQ(r.total(Series::kReturned), r.total(Series::kFalsePositives));
  EXPECT_EQ(r.total(Series::kAsylumClaims), 0);
  EXPECT_EQ(r.total(Series::kHighRiskDetected) + r.total(Series::kHighRiskMissed), 0);
}

TEST(Screening, SharedRecordsRaiseSensitivityForThoseWhoPassedAPartner) {
  // Everyone is high-risk. Entry flags 30%; the patrol flags 30% on its own,
  // and with entry's records (match rate 0.5) 1 - 0.7 * 0.5 = 65%.
  const Outcomes r = run(
      two_checkpoints("high_risk_share: 1", "detection_probability: 0, high_risk_sensitivity: 0.3",
                      "detection_probability: 0, high_risk_sensitivity: 0.3, partners: [entry], "
                      "shared_data_match_rate: 0.5"));
  const double n = r.m.agents;
  // Returned at entry (30%) or at the patrol (65% of the 70% left); the rest pass.
  const double p_pass = 0.7 * 0.35;
  EXPECT_NEAR(r.count(Status::kEvaded) / n, p_pass, tolerance(p_pass, n));
  EXPECT_EQ(r.count(Status::kReturned), r.total(Series::kHighRiskDetected));
  // Every screening either flags or misses: n at entry, and those who passed it at the patrol.
  const double screenings = r.total(Series::kHighRiskDetected) + r.total(Series::kHighRiskMissed);
  EXPECT_EQ(screenings, n + r.node_arrivals(2));
}

TEST(Screening, WithoutSharedRecordsTheSecondCheckpointFlagsAtItsOwnRate) {
  const Outcomes r = run(two_checkpoints("high_risk_share: 1",
                                         "detection_probability: 0, high_risk_sensitivity: 0.3",
                                         "detection_probability: 0, high_risk_sensitivity: 0.3"));
  const double n = r.m.agents;
  const double p_pass = 0.7 * 0.7;
  EXPECT_NEAR(r.count(Status::kEvaded) / n, p_pass, tolerance(p_pass, n));
}

TEST(Screening, BacklogPushesWaitingTravellersPastTheCheckpoint) {
  const std::string slow = "detection_probability: 1, throughput_per_day: 100";
  const Outcomes patient = run(two_checkpoints("", "detection_probability: 0", slow));
  const Outcomes restless =
      run(two_checkpoints("", "detection_probability: 0", slow + ", evasion_rate_per_day: 0.01"));
  // Detection is certain for the screened: only evasion from the queue gets
  // through. (Passing the entry check, which does not watch for irregular
  // crossers, is not counted as evasion.)
  EXPECT_EQ(patient.total(Series::kEvaded), 0);
  EXPECT_GT(restless.total(Series::kEvaded), 1000);
  EXPECT_EQ(restless.total(Series::kEvaded),
            restless.count(Status::kEvaded) + restless.count(Status::kInTransit));
  EXPECT_LT(restless.total(Series::kApprehensions), patient.total(Series::kApprehensions));
}

}  // namespace
}  // namespace migrasim
