// The list of intervention types: every type in InterventionParameters is read
// back from its name into its own struct, and messages list every type.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

#include "input/interventions.hpp"
#include "input/scenario.hpp"
#include "util/errors.hpp"

namespace migrasim {
namespace {

template <std::size_t... I>
void expect_each_type_reads_back(std::index_sequence<I...>) {
  std::set<std::string> names;
  (
      [&] {
        const std::string type = std::variant_alternative_t<I, InterventionParameters>::kType;
        EXPECT_TRUE(names.insert(type).second) << "two types named " << type;
        const auto parameters = intervention_parameters_of_type(type);
        ASSERT_TRUE(parameters.has_value()) << type;
        EXPECT_EQ(parameters->index(), I) << type;
        EXPECT_NE(intervention_type_names().find(type), std::string::npos) << type;
      }(),
      ...);
}

TEST(Interventions, EveryTypeIsReadBackFromItsName) {
  expect_each_type_reads_back(
      std::make_index_sequence<std::variant_size_v<InterventionParameters>>{});
  EXPECT_FALSE(intervention_parameters_of_type("teleport").has_value());
}

TEST(Interventions, UnknownTypeListsEveryType) {
  const std::string text = std::string(R"(
time: {start: 2023-01-01, end: 2023-01-31}
population: {agents: 100}
regions: [{name: r, population_share: 1, origin: a, push_factors: {economic_hardship: 0, repression: 0}}]
route:
  nodes: [{name: a, kind: origin}, {name: b, kind: destination}]
  edges: [{from: a, to: b, travel_days: 1}]
interventions:
  - {type: teleport, start: 2023-01-10}
)");
  try {
    parse_scenario(text, "s.yaml");
    FAIL() << "accepted an unknown type";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "s.yaml:9:12: interventions[0].type: unknown intervention type 'teleport'; "
                  "allowed: " +
                  intervention_type_names()),
              std::string::npos)
        << e.what();
  }
}

TEST(Interventions, EachTypeKeepsItsOwnKeys) {
  const InterventionSpec spec{"x", Date{0}, {}, 0.0, OutreachCampaignSpec{}};
  EXPECT_STREQ(spec.type(), "outreach_campaign");
  EXPECT_EQ(std::get<OutreachCampaignSpec>(spec.parameters).credibility, 0.5);
  EXPECT_EQ(std::get<OutreachCampaignSpec>(spec.parameters).decay_days, 30.0);
}

}  // namespace
}  // namespace migrasim
