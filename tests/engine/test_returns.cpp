// Returns upstream and re-attempts: a checkpoint sends those it apprehends
// back to a node upstream, where they are detained, then try again, go home
// or stay. Every case is a tiny corridor where everyone sets out on day 0:
// home -> coast -> (sea crossing) -> island, with the patrol -> mainland.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <numeric>
#include <string>

#include "engine/invariants.hpp"
#include "engine/simulation.hpp"
#include "model/model.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

constexpr int kDetentionDays = 5;

std::string corridor(const std::string& patrol, const std::string& decisions = "",
                     const std::string& sea = "", const std::string& end = "2023-03-31",
                     int agents = 5000) {
  return R"(
time: {start: 2023-01-01, end: )" +
         end + R"(}
population: {agents: )" +
         std::to_string(agents) +
         R"(, persons_per_agent: 1, savings_usd: {median: 2000, sigma: 0.5}}
regions:
  - {name: r, population_share: 1, origin: home, push_factors: {economic_hardship: 0, repression: 0}}
communities: {count: 4}
decisions: {base_rate_per_day: 10, )" +
         decisions + R"(}
route:
  nodes: [{name: home, kind: origin}, {name: coast, kind: transit}, {name: island, kind: border},
          {name: mainland, kind: destination}]
  edges:
    - {from: home, to: coast, travel_days: 1}
    - {from: coast, to: island, travel_days: 2, )" +
         sea + R"(}
    - {from: island, to: mainland, travel_days: 1}
checkpoints:
  - {name: patrol, node: island, )" +
         patrol + R"(}
)";
}

struct Journeys {
  Model m;
  State s;
  std::vector<double> series(Series series) const {
    const auto steps = static_cast<std::size_t>(m.steps);
    const auto first = s.recording.scalar.begin() + static_cast<long>(index(series) * steps);
    return {first, first + static_cast<long>(steps)};
  }
  double total(Series series) const {
    const auto v = this->series(series);
    return std::accumulate(v.begin(), v.end(), 0.0);
  }
  // The axis series at entity `k`, step by step.
  std::vector<double> axis(AxisSeries series, std::size_t k) const {
    const std::size_t length = s.tally.axis[index(series)].size();
    std::vector<double> v;
    for (std::int32_t t = 0; t < m.steps; ++t)
      v.push_back(s.recording.axis[index(series)][static_cast<std::size_t>(t) * length + k]);
    return v;
  }
  double count(Status status) const {
    return static_cast<double>(s.status_counts[static_cast<std::size_t>(status)]);
  }
  std::size_t node(const std::string& name) const {
    std::size_t n = 0;
    while (m.node_name[n] != name) ++n;
    return n;
  }
};

// Runs replicate 0, checking every invariant after every stage (as --check-stages).
Journeys run(const std::string& text) {
  Journeys r{compile(parse_scenario(text, "inline.yaml")), {}};
  r.s = make_state(r.m);
  run_replicate(r.m, 0, r.s, [&](const State& state, const char* stage) {
    ASSERT_EQ(find_invariant_violation(r.m, state), "") << "step " << state.step << " " << stage;
  });
  return r;
}

double tolerance(double p, double n) { return 5 * std::sqrt(p * (1 - p) / n); }

TEST(Returns, EveryInterceptedTravellerIsSentBackAndReleasedAfterDetention) {
  // Everyone is intercepted and sent back; nobody tries again: all go home.
  const Journeys r = run(corridor("detection_probability: 1, return_to: coast, detention_days: " +
                                      std::to_string(kDetentionDays),
                                  "reattempt_probability: 0, go_home_probability: 1"));
  const double n = r.m.agents;
  EXPECT_EQ(r.total(Series::kApprehensions), n);
  EXPECT_EQ(r.total(Series::kSentBack), n);
  EXPECT_EQ(r.axis(AxisSeries::kCheckpointSentBack, 0), r.series(Series::kSentBack));
  EXPECT_EQ(r.total(Series::kReattempts), 0);
  EXPECT_EQ(r.total(Series::kReturned), n);  // all of them, on going home
  EXPECT_EQ(r.count(Status::kReturned), n);
  EXPECT_EQ(r.count(Status::kEvaded), 0);
  // Those sent back on step t reappear at the coast on step t + detention.
  const std::vector<double> sent = r.series(Series::kSentBack);
  const std::vector<double> released = r.axis(AxisSeries::kNodeReleased, r.node("coast"));
  for (std::int32_t t = 0; t < r.m.steps; ++t) {
    const double expected = t >= kDetentionDays ? sent[t - kDetentionDays] : 0.0;
    EXPECT_EQ(released[t], expected) << "step " << t;
  }
  // Held in the meantime, and counted at the coast.
  const std::vector<double> detained = r.series(Series::kDetained);
  double held = 0.0;
  for (std::int32_t t = 0; t < r.m.steps; ++t) {
    held += sent[t] - released[t];
    EXPECT_EQ(detained[t], held) << "step " << t;
  }
  EXPECT_GT(*std::max_element(detained.begin(), detained.end()), 0.0);
  // Gone home: at the origin.
  for (std::size_t i = 0; i < r.s.agents.size(); ++i)
    ASSERT_EQ(r.s.agents.node[i], r.m.region_origin[0]) << i;
}

TEST(Returns, WithCertainReattemptsEveryoneEventuallyPassesOrDies) {
  const Journeys r =
      run(corridor("detection_probability: 0.5, return_to: coast, detention_days: 2",
                   "reattempt_probability: 1", "mortality_per_day: 0.01", "2023-06-30"));
  const double n = r.m.agents;
  EXPECT_EQ(r.count(Status::kEvaded) + r.count(Status::kDied), n);
  EXPECT_EQ(r.count(Status::kDetained), 0);
  EXPECT_EQ(r.total(Series::kStranded) + r.total(Series::kReturned), 0);
  EXPECT_EQ(r.total(Series::kReattempts), r.total(Series::kSentBack));
  EXPECT_GT(r.count(Status::kDied), 0);
  // Half of every screening is sent back.
  const double screened = r.total(Series::kApprehensions) + r.total(Series::kEvaded);
  EXPECT_NEAR(r.total(Series::kSentBack) / screened, 0.5, tolerance(0.5, screened));
  // The patrol screens a traveller once per attempt: the first ones and the re-attempts.
  const double died_at_sea = r.count(Status::kDied);
  EXPECT_EQ(screened, n + r.total(Series::kReattempts) - died_at_sea);
}

TEST(Returns, WithNoReattemptsNobodyReEnters) {
  const Journeys r = run(corridor("detection_probability: 0.5, return_to: coast, detention_days: 3",
                                  "reattempt_probability: 0, go_home_probability: 0.5"));
  const double sent = r.total(Series::kSentBack);
  EXPECT_EQ(r.total(Series::kReattempts), 0);
  EXPECT_EQ(r.total(Series::kApprehensions), sent);  // each screened once
  EXPECT_EQ(r.total(Series::kStranded) + r.total(Series::kReturned), sent);
  EXPECT_EQ(r.count(Status::kStranded) + r.count(Status::kReturned), sent);
  EXPECT_NEAR(r.total(Series::kStranded) / sent, 0.5, tolerance(0.5, sent));
  EXPECT_EQ(r.count(Status::kEvaded), r.m.agents - sent);  // the others passed at once
  // The stranded stay where they were held.
  for (std::size_t i = 0; i < r.s.agents.size(); ++i) {
    if (r.s.agents.status[i] == Status::kStranded) {
      ASSERT_EQ(r.s.agents.node[i], r.node("coast"));
    }
  }
}

TEST(Returns, ReturnProbabilitySplitsTheApprehendedFromTheExistingOutcomes) {
  const Journeys r =
      run(corridor("detection_probability: 1, return_to: coast, return_probability: 0.3",
                   "reattempt_probability: 0"));
  const double n = r.m.agents;
  // Returned at the patrol (no claim can be made) or sent back, then gone home or stranded.
  const std::vector<double> returned_at_patrol = r.axis(AxisSeries::kCheckpointReturned, 0);
  const double at_patrol =
      std::accumulate(returned_at_patrol.begin(), returned_at_patrol.end(), 0.0);
  EXPECT_EQ(at_patrol + r.total(Series::kSentBack), n);
  EXPECT_NEAR(r.total(Series::kSentBack) / n, 0.3, tolerance(0.3, n));
}

TEST(Returns, TheReattemptRuleFollowsReturnsAndSavings) {
  // Factor 0: only those sent back once try again; everyone is caught twice.
  const Journeys once = run(corridor("detection_probability: 1, return_to: coast",
                                     "reattempt_probability: 1, reattempt_factor_per_return: 0"));
  const double n = once.m.agents;
  EXPECT_EQ(once.total(Series::kReattempts), n);
  EXPECT_EQ(once.total(Series::kSentBack), 2 * n);
  EXPECT_EQ(once.count(Status::kReturned) + once.count(Status::kStranded), n);
  // A return that costs more than anyone has leaves nobody the savings to try again.
  const Journeys broke =
      run(corridor("detection_probability: 1, return_to: coast, return_cost_usd: 1e8",
                   "reattempt_probability: 1, reattempt_savings_usd: 1000"));
  EXPECT_EQ(broke.total(Series::kReattempts), 0);
  EXPECT_EQ(broke.total(Series::kSentBack), n);
  for (std::size_t i = 0; i < broke.s.agents.size(); ++i)
    ASSERT_LT(broke.s.agents.savings_usd[i], 0.0f);
}

TEST(Returns, CommunitiesHearOfAFailureOnlyWhenTheJourneyEnds) {
  // Caught every time, always trying again, nobody dies: no journey ends.
  const Journeys r = run(corridor("detection_probability: 1, return_to: coast, detention_days: 1",
                                  "reattempt_probability: 1"));
  EXPECT_GT(r.total(Series::kSentBack), 2.0 * r.m.agents);
  for (std::size_t c = 0; c < r.m.community_count(); ++c) {
    EXPECT_EQ(r.s.communities.remembered_failures[c], 0.0) << c;
  }
  EXPECT_EQ(
      r.count(Status::kDetained) + r.count(Status::kInTransit) + r.count(Status::kHeldAtCheckpoint),
      r.m.agents);
}

TEST(Returns, FlowsAndStocksAreConserved) {
  const Journeys r =
      run(corridor("detection_probability: 0.6, asylum_claim_probability: 0.5, return_to: coast, "
                   "return_probability: 0.7, detention_days: 10",
                   "reattempt_probability: 0.6, reattempt_factor_per_return: 0.7",
                   "mortality_per_day: 0.005", "2023-01-28"));
  const auto last = [&](Series k) { return r.series(k).back(); };
  const auto sum = [](const std::vector<double>& v) {
    return std::accumulate(v.begin(), v.end(), 0.0);
  };
  double all = 0.0;
  for (std::size_t k = 0; k < kStatusCount; ++k) all += static_cast<double>(r.s.status_counts[k]);
  EXPECT_EQ(all, r.m.agents);
  const double released = sum(r.axis(AxisSeries::kNodeReleased, r.node("coast")));
  const double at_patrol = sum(r.axis(AxisSeries::kCheckpointReturned, 0));
  const double gone_home = released - r.total(Series::kReattempts) - r.total(Series::kStranded);
  EXPECT_EQ(r.total(Series::kApprehensions),
            at_patrol + r.total(Series::kAsylumClaims) + r.total(Series::kSentBack));
  EXPECT_EQ(r.total(Series::kSentBack), released + last(Series::kDetained));
  EXPECT_EQ(r.total(Series::kReturned), at_patrol + gone_home);
  EXPECT_EQ(r.total(Series::kReturned), r.count(Status::kReturned));
  EXPECT_EQ(r.total(Series::kStranded), r.count(Status::kStranded));
  EXPECT_EQ(last(Series::kDetained), r.count(Status::kDetained));
  EXPECT_EQ(r.total(Series::kDeaths), r.count(Status::kDied));
  // The identity of docs/output.md, with the detained and the stranded.
  EXPECT_EQ(last(Series::kAtHome) + r.count(Status::kAspiring) + last(Series::kWaitingForSmuggler) +
                last(Series::kInTransit) + last(Series::kHeldAtCheckpoints) +
                last(Series::kAsylumBacklog) + last(Series::kDetained) + r.total(Series::kDeaths) +
                r.total(Series::kReturned) + r.total(Series::kStranded) +
                r.total(Series::kAsylumGranted) + r.total(Series::kRemoved) +
                r.total(Series::kDeniedNotRemoved) + r.count(Status::kEvaded),
            r.m.agents);
  // Node stock counts the detained where they are held.
  double stock = 0.0;
  for (std::size_t n = 0; n < r.m.node_count(); ++n)
    stock += r.axis(AxisSeries::kNodeStock, n).back();
  EXPECT_EQ(stock, last(Series::kInTransit) + last(Series::kHeldAtCheckpoints) +
                       last(Series::kWaitingForSmuggler) + last(Series::kDetained));
  EXPECT_GT(last(Series::kDetained), 0);
  EXPECT_GT(r.total(Series::kReattempts), 0);
  EXPECT_GT(r.total(Series::kStranded), 0);
}

TEST(Returns, SameBitsForAnyThreadCount) {
  const Model m = compile(parse_scenario(
      corridor("detection_probability: 0.6, return_to: coast, detention_days: 4, "
               "return_cost_usd: 300, return_probability: {2023-01-01: 1, 2023-03-01: 0.2}",
               "reattempt_probability: 0.7, reattempt_factor_per_return: 0.8, "
               "reattempt_savings_usd: 1500",
               "mortality_per_day: 0.002", "2023-03-31", 20000),
      "inline.yaml"));
  std::vector<Recording> recordings;
  const int before = omp_get_max_threads();
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    State s = make_state(m);
    s.choose_team = false;
    run_replicate(m, 0, s);
    recordings.push_back(s.recording);
  }
  omp_set_num_threads(before);
  EXPECT_GT(std::accumulate(recordings[0].scalar.begin(), recordings[0].scalar.end(), 0.0), 0.0);
  for (std::size_t k = 1; k < recordings.size(); ++k) {
    ASSERT_EQ(recordings[k].scalar.size(), recordings[0].scalar.size());
    EXPECT_EQ(std::memcmp(recordings[k].scalar.data(), recordings[0].scalar.data(),
                          recordings[0].scalar.size() * sizeof(double)),
              0);
    for (std::size_t a = 0; a < kAxisSeriesCount; ++a)
      EXPECT_EQ(recordings[k].axis[a], recordings[0].axis[a]) << a;
  }
}

TEST(Returns, TheReturnNodeMustLieUpstream) {
  for (const char* to : {"island", "mainland"}) {
    try {
      compile(parse_scenario(corridor(std::string("return_to: ") + to), "inline.yaml"));
      ADD_FAILURE() << to;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("checkpoints[0].return_to"), std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("not upstream"), std::string::npos) << e.what();
    }
  }
  EXPECT_NO_THROW(compile(parse_scenario(corridor("return_to: home"), "inline.yaml")));
  EXPECT_THROW(parse_scenario(corridor("detention_days: 3"), "inline.yaml"), InputError);
  EXPECT_THROW(compile(parse_scenario(corridor("return_to: nowhere"), "inline.yaml")), InputError);
}

}  // namespace
}  // namespace migrasim
