// Random draws keyed by (seed, replicate, step, stage, entity, draw).
//
// There is no generator state anywhere in the simulation: a stage that needs
// randomness for agent i builds `Draws(stream, i)` and takes draws from it in a
// fixed order. The same agent gets the same numbers whichever thread handles it,
// which is the whole determinism contract.
//
// Counter layout of each Philox block:
//   c0 = entity (agent, community, network ... index)
//   c1 = step
//   c2 = replicate
//   c3 = stream id (8 bits) << 24 | block index within the stream (24 bits)
// key = the 64-bit seed. Each block yields four 32-bit words.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "util/philox.hpp"

namespace migrasim {

// One id per place in the code that draws random numbers: X(enumerator, id).
// Never reuse or renumber an id: it would change every result for the same
// seed. A repeated id does not compile.
// clang-format off
#define MIGRASIM_STREAMS(X) \
  X(kInitialPopulation, 1) \
  X(kDecisions, 2)    /* entity = agent: decisions' dense pass (home_draws.hpp) */ \
  X(kMovement, 3) \
  X(kScreening, 4) \
  X(kAsylum, 5) \
  X(kInformation, 6)  /* unused since learning orders (home_knowledge.hpp); kept, never reused */ \
  X(kSmugglers, 7) \
  X(kScreeningQueue, 8) \
  X(kAsylumQueue, 9) \
  X(kSmugglerQueue, 10) \
  X(kLegalAwareness, 11) /* unused since learning orders; kept, never reused */ \
  X(kPathwayQueue, 12) \
  X(kSweepMemberSeeds, 13) /* entity = sweep member */ \
  X(kSweepDesign, 14)      /* entity = swept parameter (Latin hypercube) */ \
  X(kCalibrationPrior, 15)    /* entity = particle, replicate = generation, step = attempt */ \
  X(kCalibrationProposal, 16) /* entity = particle, replicate = generation, step = attempt */ \
  X(kCalibrationSeeds, 17)    /* entity = particle, replicate = generation, step = attempt */ \
  X(kPosteriorParticle, 18)   /* entity = replicate: the particle a posterior run draws */ \
  X(kVisaEntry, 19)           /* entity = agent, step = node: fixed per traveller and node */ \
  X(kReturns, 20) \
  X(kRouteLearning, 21)   /* entity = community: how many learn the route */ \
  X(kDecidingToLeave, 22) /* entity = community: who decides to leave */ \
  X(kPathwayLearning, 23) /* entity = community: how many learn of legal pathways */ \
  X(kInitialRouteAwareness, 24)      /* entity = community: how many know the route at the start */ \
  X(kInitialRouteAwarenessDense, 25) /* unused since learning orders; kept, never reused */ \
  X(kInitialLegalAwareness, 26)      /* entity = community: how many know of legal pathways */ \
  X(kInitialLegalAwarenessDense, 27) /* unused since learning orders; kept, never reused */ \
  X(kTransitEvents, 30) /* entity = agent: arrivals processed from the transit calendar */ \
  X(kTransitRedraw, 31) /* entity = agent: death times redrawn when a hazard changes */ \
  X(kRouteLearningOrder, 32) /* entity = community, step 0: the order members learn the route in */ \
  X(kLegalLearningOrder, 33) /* entity = community, step 0: ... and of legal pathways */
// clang-format on

#define MIGRASIM_STREAM_ENUMERATOR(enumerator, id) enumerator = id,
enum class StreamId : std::uint8_t { MIGRASIM_STREAMS(MIGRASIM_STREAM_ENUMERATOR) };
#undef MIGRASIM_STREAM_ENUMERATOR

namespace detail {
#define MIGRASIM_STREAM_ID(enumerator, id) id,
inline constexpr std::uint8_t kStreamIds[] = {MIGRASIM_STREAMS(MIGRASIM_STREAM_ID)};
#undef MIGRASIM_STREAM_ID
constexpr bool stream_ids_distinct() {
  for (std::size_t i = 0; i < std::size(kStreamIds); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (kStreamIds[i] == kStreamIds[j]) return false;
    }
  }
  return true;
}
static_assert(stream_ids_distinct(), "two random streams share an id");
}  // namespace detail

struct StreamKey {
  std::uint64_t seed = 0;
  std::uint32_t replicate = 0;
  std::uint32_t step = 0;
  StreamId stream = StreamId::kInitialPopulation;
};

// Uniform on the open interval (0, 1) from 32 random bits, with 2^-32
// resolution: never 0 or 1, so log(u) and comparisons `u < p` are safe at
// p = 0 and p = 1. Exact in double precision.
inline double uniform_from_bits(std::uint32_t bits) {
  return (static_cast<double>(bits) + 0.5) * 0x1p-32;
}

// The number T of 32-bit values b with uniform_from_bits(b) < p, so that
// `b < T` decides a Bernoulli(p) draw exactly as `uniform() < p` does, with
// an integer comparison (exact: b + 0.5 < p * 2^32 <=> b < ceil(p * 2^32 - 0.5)).
inline std::uint64_t bernoulli_threshold(double p) {
  if (!(p > 0.0)) return 0;  // also NaN, which no uniform is below
  if (p >= 1.0) return std::uint64_t{1} << 32;
  return static_cast<std::uint64_t>(std::max(0.0, std::ceil(p * 0x1p32 - 0.5)));
}

class Draws {
 public:
  Draws(const StreamKey& key, std::uint32_t entity)
      : key_{static_cast<std::uint32_t>(key.seed), static_cast<std::uint32_t>(key.seed >> 32)},
        counter_{entity, key.step, key.replicate, static_cast<std::uint32_t>(key.stream) << 24} {}

  // 32 uniformly distributed bits.
  std::uint32_t bits() {
    if (lane_ == 4) refill();
    return block_[lane_++];
  }

  // Uniform on the open interval (0, 1): see uniform_from_bits.
  double uniform() { return uniform_from_bits(bits()); }

  bool bernoulli(double p) { return uniform() < p; }

  // Continues the stream at block `block`, leaving the blocks before it undrawn
  // (for draws kept apart from a fixed layout of the first blocks).
  void skip_to_block(std::uint32_t block) {
    counter_[3] = (counter_[3] & 0xFF000000u) | (block & 0xFFFFFFu);
    lane_ = 4;
  }

  // Index drawn from non-negative weights (not necessarily normalised) with
  // total `total`. Falls back to the last positive weight on rounding.
  template <class Weights>
  std::size_t categorical(const Weights& weights, double total) {
    double target = uniform() * total;
    std::size_t last_positive = 0;
    for (std::size_t i = 0; i < std::size(weights); ++i) {
      if (weights[i] <= 0.0) continue;
      last_positive = i;
      if (target < weights[i]) return i;
      target -= weights[i];
    }
    return last_positive;
  }

 private:
  void refill() {
    block_ = philox4x32_10(counter_, key_);
    ++counter_[3];
    lane_ = 0;
  }

  PhiloxKey key_;
  PhiloxCounter counter_;
  PhiloxCounter block_{};
  int lane_ = 4;
};

// A uniform integer in [0, bound), 1 <= bound <= 2^32, drawn exactly
// (Lemire 2019: a 64-bit product of a word and the bound, with the few words
// that would bias it drawn again).
inline std::uint32_t uniform_below(Draws& draws, std::uint64_t bound) {
  std::uint64_t product = std::uint64_t{draws.bits()} * bound;
  if (static_cast<std::uint32_t>(product) < bound) {
    const auto threshold = static_cast<std::uint32_t>((std::uint64_t{1} << 32) % bound);
    while (static_cast<std::uint32_t>(product) < threshold) {
      product = std::uint64_t{draws.bits()} * bound;
    }
  }
  return static_cast<std::uint32_t>(product >> 32);
}

// A uniform random bit generator over a Draws stream, for the standard
// library's distributions.
struct DrawsBits {
  Draws& draws;
  using result_type = std::uint32_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return 0xFFFFFFFFu; }
  result_type operator()() { return draws.bits(); }
};

// The number of successes in n independent Bernoulli(p) trials, drawn exactly
// (libstdc++'s std::binomial_distribution: waiting times for small n p,
// Devroye's rejection otherwise) from `draws`: O(1) expected draws for any n.
inline std::int64_t binomial(Draws& draws, std::int64_t n, double p) {
  if (n <= 0 || !(p > 0.0)) return 0;
  if (p >= 1.0) return n;
  DrawsBits bits{draws};
  return std::binomial_distribution<std::int64_t>(n, p)(bits);
}

// Many agents' first draws at once. A stage that takes one draw per agent (a
// Bernoulli trial) from stream `key` asks for the first 32 bits of many
// agents' streams together: bits[j] = Draws(key, entities[j]).bits(). The
// kernels compute eight or four Philox blocks per instruction where the CPU
// has AVX-512 or AVX2, with integer arithmetic only, so every kernel gives the
// same bits; the fastest the CPU supports is picked once, at first use.
enum class DrawKernel : std::uint8_t { kPortable, kAvx2, kAvx512 };
const char* to_string(DrawKernel kernel);
std::vector<DrawKernel> available_draw_kernels();  // on this CPU, slowest first
DrawKernel fastest_draw_kernel();  // the one first_bits uses; MIGRASIM_DRAW_KERNEL=name overrides

void first_bits(const StreamKey& key, std::span<const std::uint32_t> entities, std::uint32_t* bits);
void first_bits(DrawKernel kernel, const StreamKey& key, std::span<const std::uint32_t> entities,
                std::uint32_t* bits);

// first_bits, and a Bernoulli trial of each: bit j % 8 of hits[j / 8] is set when
// bits[j] < below (see bernoulli_threshold). entities.size() must be a
// multiple of 8.
void first_bits_below(const StreamKey& key, std::span<const std::uint32_t> entities,
                      std::uint64_t below, std::uint32_t* bits, std::uint8_t* hits);
void first_bits_below(DrawKernel kernel, const StreamKey& key,
                      std::span<const std::uint32_t> entities, std::uint64_t below,
                      std::uint32_t* bits, std::uint8_t* hits);

// Whole blocks 0 .. blocks - 1 of the streams of the consecutive entities
// first .. first + n - 1: word w of block b of entity first + j at
// out[(4 b + w) * stride + j] (stride >= n), the words Draws(key, first + j)
// would give.
void philox_blocks(DrawKernel kernel, const StreamKey& key, std::uint32_t first, std::size_t n,
                   std::uint32_t blocks, std::uint32_t* out, std::size_t stride);

}  // namespace migrasim
