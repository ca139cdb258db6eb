#include "engine/step.hpp"

#include "engine/stages/stages.hpp"

namespace migrasim {
namespace {

constexpr Stage kStages[] = {
    {"environment", update_environment},               // push factors of the day
    {"information", spread_information},               // route knowledge and beliefs from groups
    {"decisions", make_decisions},                     // at home -> aspiring
    {"legal_pathways", admit_through_legal_pathways},  // aspirants -> legal entry, within capacity
    {"smuggling", run_smuggler_market},       // places with networks; fees, capacity, reputation
    {"movement", move_agents},                // set out, travel, die, arrive
    {"screening", screen_at_checkpoints},     // detect, return, claim asylum, or let pass
    {"returns", release_from_detention},      // those sent back: try again, go home or stay
    {"asylum", process_asylum},               // grant or remove
    {"feedback", record_community_feedback},  // outcomes into each group's memory
    {"recording", record_outputs},            // flows and stocks of the step
};

}  // namespace

std::span<const Stage> stages() { return kStages; }

void step(const Model& m, State& s) {
  for (const Stage& stage : kStages) stage.run(m, s);
}

}  // namespace migrasim
