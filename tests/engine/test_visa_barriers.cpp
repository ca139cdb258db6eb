// Partial visa barriers: a share of travellers without the visa is refused,
// some of those get in by overstaying another status or on falsified
// documents, and one refused at a node goes another way if one is open.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "engine_support.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

using testing::one_region_head;
using testing::Result;
using testing::run_scenario_text;

// From the hub two equally weighted ways, through `a` and through `b`, lead
// to the destination. `a` has a checkpoint that stops nobody but catches every
// falsified document.
std::string fork(const std::string& interventions) {
  return one_region_head("2023-04-30") + R"(
route:
  nodes:
    - {name: home, kind: origin}
    - {name: hub, kind: transit}
    - {name: a, kind: transit}
    - {name: b, kind: transit}
    - {name: dest, kind: destination}
  edges:
    - {from: home, to: hub, travel_days: 1}
    - {from: hub, to: a, travel_days: 1}
    - {from: hub, to: b, travel_days: 1}
    - {from: a, to: dest, travel_days: 1}
    - {from: b, to: dest, travel_days: 1}
checkpoints:
  - {name: a_documents, node: a, detection_probability: 0, document_sensitivity: 1}
interventions:
)" + interventions;
}

double on_edge(const Result& r, AxisSeries series, const std::string& label) {
  std::size_t e = 0;
  while (edge_label(r.m, e) != label) ++e;
  double sum = 0.0;
  for (std::size_t t = 0; t < static_cast<std::size_t>(r.m.steps); ++t)
    sum += r.r.axis[index(series)][t * r.m.edge_count() + e];
  return sum;
}

double at_node(const Result& r, AxisSeries series, const std::string& node) {
  std::size_t n = 0;
  while (r.m.node_name[n] != node) ++n;
  double sum = 0.0;
  for (std::size_t t = 0; t < static_cast<std::size_t>(r.m.steps); ++t)
    sum += r.r.axis[index(series)][t * r.m.node_count() + n];
  return sum;
}

TEST(VisaBarrier, TheDefaultIsAClosure) {
  const Result closed = run_scenario_text(fork(R"(
  - {type: visa_policy, name: v, node: a, regions: [sahel], start: 2023-01-01}
)"));
  const Result spelled = run_scenario_text(fork(R"(
  - {type: visa_policy, name: v, node: a, regions: [sahel], start: 2023-01-01,
     refusal_probability: 1, overstay_probability: 0, fraud_probability: 0}
)"));
  EXPECT_EQ(on_edge(closed, AxisSeries::kEdgeDepartures, "hub->a"), 0.0);
  EXPECT_GT(on_edge(closed, AxisSeries::kEdgeDepartures, "hub->b"), 0.0);
  EXPECT_EQ(closed.r.scalar, spelled.r.scalar);
  EXPECT_EQ(closed.r.axis, spelled.r.axis);
}

TEST(VisaBarrier, RefusedTravellersGoTheOtherWay) {
  const Result r = run_scenario_text(fork(R"(
  - {type: visa_policy, name: v, node: a, regions: [sahel], start: 2023-01-01,
     refusal_probability: 0.5}
)"));
  // Half may enter `a`, and half of those choose it: a quarter go through `a`.
  const double to_a = on_edge(r, AxisSeries::kEdgeDepartures, "hub->a");
  const double from_hub = to_a + on_edge(r, AxisSeries::kEdgeDepartures, "hub->b");
  EXPECT_NEAR(to_a / from_hub, 0.25, 4 * std::sqrt(0.25 * 0.75 / from_hub));
  // Nobody is turned back while `b` is open; no entry under the barrier is irregular.
  EXPECT_EQ(r.total(Series::kReturned), 0.0);
  EXPECT_EQ(at_node(r, AxisSeries::kNodeOverstayEntries, "a"), 0.0);
}

TEST(VisaBarrier, OverstayAndFraudEntriesAreCountedAndFraudCarriesDocuments) {
  const Result r = run_scenario_text(fork(R"(
  - {type: visa_policy, name: v, node: a, regions: [sahel], start: 2023-01-01,
     overstay_probability: 0.2, fraud_probability: 0.5}
  - {type: visa_policy, name: w, node: b, regions: [sahel], start: 2023-01-01}
)"));
  // Everyone refused (refusal 1) at `a` who gets in does so irregularly.
  const double to_a = on_edge(r, AxisSeries::kEdgeDepartures, "hub->a");
  const double overstay = at_node(r, AxisSeries::kNodeOverstayEntries, "a");
  const double fraud = at_node(r, AxisSeries::kNodeFraudEntries, "a");
  EXPECT_EQ(overstay + fraud, to_a);
  // Entry 1 - 0.8 x 0.5 = 0.6: overstays 0.2 and frauds 0.4 of those trying.
  EXPECT_NEAR(fraud / to_a, 2.0 / 3.0, 4 * std::sqrt(2.0 / 9.0 / to_a));
  // With `b` closed, those who cannot enter `a` are turned back at the hub.
  const double at_hub = at_node(r, AxisSeries::kNodeArrivals, "hub");
  double caught = 0.0;  // returned at `a`'s checkpoint
  for (const double x : r.r.axis[index(AxisSeries::kCheckpointReturned)]) caught += x;
  EXPECT_EQ(r.total(Series::kReturned) - caught, at_hub - to_a);
  EXPECT_NEAR(to_a / at_hub, 0.6, 4 * std::sqrt(0.24 / at_hub));
  // Those who entered on falsified documents are caught with them at `a` (and
  // no one else carries any), but for the last days' still on the way there.
  EXPECT_EQ(r.total(Series::kFalsifiedDocsDetected), caught);
  EXPECT_LE(caught, fraud);
  EXPECT_GE(caught, 0.95 * fraud);
}

TEST(VisaBarrier, TryingAgainMeetsTheSameOutcome) {
  // At the origin's only way: those refused stay home and try again every
  // day; if each try were a new draw, nearly everyone would get in.
  const Result r = run_scenario_text(fork(R"(
  - {type: visa_policy, name: v, node: hub, regions: [sahel], start: 2023-01-01,
     refusal_probability: 0.5}
)"));
  const double aspirants = r.total(Series::kNewAspirants);
  EXPECT_NEAR(r.total(Series::kDepartures) / aspirants, 0.5, 4 * std::sqrt(0.25 / aspirants));
}

TEST(VisaBarrier, ProbabilitiesAreChecked) {
  EXPECT_THROW(run_scenario_text(fork(R"(
  - {type: visa_policy, name: v, node: a, regions: [sahel], start: 2023-01-01,
     refusal_probability: 1.5}
)")),
               InputError);
  EXPECT_THROW(run_scenario_text(fork(R"(
  - {type: visa_policy, name: v, node: a, regions: [sahel], start: 2023-01-01,
     fraud: 0.5}
)")),
               InputError);
}

}  // namespace
}  // namespace migrasim
