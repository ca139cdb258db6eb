// The stages of one step, in the order step() runs them. Each stage reads the
// state the previous one left; each lives in its own file, which opens with a
// `// reads: ... writes: ...` line.
#pragma once

#include "engine/state.hpp"
#include "model/model.hpp"

namespace migrasim {

void update_environment(const Model& model, State& state);
void spread_information(const Model& model, State& state);
void make_decisions(const Model& model, State& state);
void admit_through_legal_pathways(const Model& model, State& state);
void run_smuggler_market(const Model& model, State& state);
void move_agents(const Model& model, State& state);
void screen_at_checkpoints(const Model& model, State& state);
void release_from_detention(const Model& model, State& state);
void process_asylum(const Model& model, State& state);
void record_community_feedback(const Model& model, State& state);
void record_outputs(const Model& model, State& state);

}  // namespace migrasim
