// An agent leaving home is materialised: it takes the next slot of the agent
// columns (state.hpp), with the attributes its home index always had (drawn
// again from the population stream, population_sampler.hpp), what it learnt
// at home (home_knowledge.hpp), and its place at its region's origin.
#pragma once

#include <cstdint>
#include <span>

#include "engine/population_sampler.hpp"
#include "engine/state.hpp"
#include "model/model.hpp"

namespace migrasim {

// The agents at home `leavers` (home indices, increasing, already marked as
// gone in home_status) become aspirants from this step in slots first_slot,
// first_slot + 1, ..., which must be in use (the columns resized past them).
// drawn: their attributes were drawn (by their decision), and are not drawn
// again.
// scratch: the calling thread's (state.sampler_scratch). Those unaware of
// legal pathways leave their community's count of such members at home:
// `homes` must be members of communities no other thread works on.
void materialise_leavers(const Model& model, State& state, std::span<const Leaver> leavers,
                         bool drawn, std::size_t first_slot, PopulationSampler::Scratch& scratch);

}  // namespace migrasim
