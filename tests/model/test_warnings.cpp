// validate's warnings: legal settings that cannot act, said with the entry's
// place; a sound scenario gets none.
#include <gtest/gtest.h>

#include <string>

#include "input/scenario.hpp"
#include "model/model.hpp"
#include "model/warnings.hpp"
#include "test_support.hpp"

namespace migrasim {
namespace {

using testing::tiny_scenario_yaml;

std::vector<ScenarioWarning> warnings_of(const std::string& text) {
  const Scenario s = parse_scenario(text, "w.yaml");
  return find_warnings(s, compile(s));
}

std::string with_interventions(const std::string& decisions, const std::string& list) {
  std::string text = tiny_scenario_yaml();
  const auto at = text.find("decisions:");
  if (!decisions.empty()) text.insert(at + std::string("decisions:").size(), "\n" + decisions);
  return text + "interventions:\n" + list;
}

TEST(Warnings, ASoundScenarioHasNone) { EXPECT_TRUE(warnings_of(tiny_scenario_yaml()).empty()); }

TEST(Warnings, OutreachThatCannotChangeDecisions) {
  const auto w = warnings_of(with_interventions(
      "",
      "  - {type: outreach_campaign, start: 2022-01-10, reach_per_day: 0.1, credibility: 0.5,\n"
      "     danger_message: 0.3}\n"));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].key, "interventions[0]");
  EXPECT_NE(w[0].message.find("decisions.danger_weight is 0"), std::string::npos) << w[0].text();
  EXPECT_NE(w[0].location.find("w.yaml:"), std::string::npos) << w[0].location;
  // With a danger weight the same campaign can act.
  EXPECT_TRUE(warnings_of(with_interventions(
                              "  danger_weight: 20",
                              "  - {type: outreach_campaign, start: 2022-01-10, reach_per_day: "
                              "0.1, credibility: 0.5, danger_message: 0.3}\n"))
                  .empty());
}

TEST(Warnings, InterventionsThatChangeNothingOrAreNeverInForce) {
  const auto w = warnings_of(with_interventions(
      "",
      "  - {type: screening_upgrade, start: 2022-01-10, checkpoints: [border_patrol]}\n"
      "  - {type: route_measure, start: 2022-01-10, nodes: [hub]}\n"
      "  - {type: data_sharing, start: 2030-01-01, checkpoints: [border_patrol],\n"
      "     partners: [border_patrol], match_rate: 0.5}\n"));
  std::string all;
  for (const auto& x : w) all += x.text() + "\n";
  EXPECT_NE(all.find("interventions[0]: the screening upgrade sets no parameter"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("interventions[1]: the route measure changes nothing"), std::string::npos)
      << all;
  EXPECT_NE(all.find("interventions[2]: 'data_sharing_2' is never in force"), std::string::npos)
      << all;
}

TEST(Warnings, LeversOnAsylumAndVisasThatCannotAct) {
  std::string text = with_interventions(
      "",
      "  - {type: visa_policy, start: 2022-01-10, node: hub, regions: [north],\n"
      "     refusal_probability: 0}\n"
      "  - {type: asylum_policy, start: 2022-01-10}\n"
      "  - {type: asylum_policy, start: 2022-01-10, removal_probability: 0.5}\n");
  const std::string claims = "asylum_claim_probability: 0.5";
  text.replace(text.find(claims), claims.size(), "asylum_claim_probability: 0.0");
  const auto w = warnings_of(text);
  std::string all;
  for (const auto& x : w) all += x.text() + "\n";
  EXPECT_NE(all.find("interventions[0]: every traveller without the visa gets in"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("interventions[1]: the asylum policy sets no rule"), std::string::npos) << all;
  EXPECT_NE(all.find("interventions[2]: asylum system 'asylum' hears no claims"), std::string::npos)
      << all;
  // A partial barrier and a policy on a system that hears claims are sound.
  EXPECT_TRUE(warnings_of(with_interventions(
                              "",
                              "  - {type: visa_policy, start: 2022-01-10, node: hub, regions: "
                              "[north], refusal_probability: 0.5}\n"
                              "  - {type: asylum_policy, start: 2022-01-10, min_claim_strength: "
                              "0.5}\n"))
                  .empty());
}

TEST(Warnings, ReturnsThatCannotHappen) {
  std::string text = tiny_scenario_yaml();
  const std::string claim = "    asylum_claim_probability: 0.5\n";
  text.insert(text.find(claim) + claim.size(), "    return_to: hub\n    return_probability: 0\n");
  auto w = warnings_of(text);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].key, "checkpoints[0]");
  EXPECT_NE(w[0].message.find("nobody is sent back"), std::string::npos) << w[0].text();

  text = tiny_scenario_yaml();
  text.insert(text.find("decisions:") + std::string("decisions:").size(),
              "\n  reattempt_probability: 0.9");
  w = warnings_of(text);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].key, "decisions");
  EXPECT_NE(w[0].message.find("no checkpoint has return_to"), std::string::npos) << w[0].text();
  // With a return, the same rule acts: no warning.
  text.insert(text.find(claim) + claim.size(), "    return_to: hub\n");
  EXPECT_TRUE(warnings_of(text).empty());
}

TEST(Warnings, AnAsylumSystemThatHearsNoClaims) {
  std::string text = tiny_scenario_yaml();
  text.replace(text.find("asylum:\n"), std::string::npos,
               "asylum:\n  - {name: north_system, nodes: [north_land]}\n"
               "  - {name: spare, nodes: [jungle]}\n");
  const auto w = warnings_of(text);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].key, "asylum[1]");
  EXPECT_NE(w[0].message.find("hears no claims"), std::string::npos) << w[0].text();
}

}  // namespace
}  // namespace migrasim

namespace migrasim {
namespace {

// Knowledge seeded in fewer than one agent per group: results depend on the
// resolution. 4,000 agents in 400 groups with 5% aware is 0.5 seeds a group;
// in 40 groups it is 5, and no warning.
TEST(Warnings, TooFewSeedsOfKnowledgePerGroup) {
  const std::string info =
      "information: {initial_route_awareness: 0.05, contagion_rate_per_day: 0.01}\n";
  const auto w = warnings_of(tiny_scenario_yaml() + info + "communities: {count: 400}\n");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].key, "population.agents");
  EXPECT_NE(w[0].message.find("groups hold 10 agents on average, of whom 0.5 know the route"),
            std::string::npos)
      << w[0].text();
  EXPECT_TRUE(warnings_of(tiny_scenario_yaml() + info + "communities: {count: 40}\n").empty());
}

}  // namespace
}  // namespace migrasim
