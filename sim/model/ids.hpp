// Dense ids of the model's entities, assigned by compile() in file order
// (edges: sorted by origin node).
#pragma once

#include <cstdint>
#include <limits>

namespace migrasim {

using RegionId = std::uint16_t;
using CommunityId = std::uint32_t;
using NodeId = std::uint16_t;
using EdgeId = std::uint16_t;
using CheckpointId = std::uint16_t;
using NetworkId = std::uint16_t;
inline constexpr std::uint16_t kNone = std::numeric_limits<std::uint16_t>::max();

}  // namespace migrasim
