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

#include <cmath>
#include <cstdint>
#include <numbers>

#include "philox.hpp"

namespace migrasim {

// One id per place in the code that draws random numbers. Never reuse or
// renumber an id: it would change every result for the same seed.
enum class StreamId : std::uint8_t {
  kInitialPopulation = 1,
  kDecisions = 2,
  kMovement = 3,
  kScreening = 4,
  kAsylum = 5,
  kInformation = 6,
  kSmugglers = 7,
  kScreeningQueue = 8,
  kAsylumQueue = 9,
  kSmugglerQueue = 10,
  kLegalAwareness = 11,
  kPathwayQueue = 12,
  kSweepMemberSeeds = 13,  // entity = sweep member
  kSweepDesign = 14,       // entity = swept parameter (Latin hypercube)
};

struct StreamKey {
  std::uint64_t seed = 0;
  std::uint32_t replicate = 0;
  std::uint32_t step = 0;
  StreamId stream = StreamId::kInitialPopulation;
};

class Draws {
 public:
  Draws(const StreamKey& key, std::uint32_t entity)
      : key_{static_cast<std::uint32_t>(key.seed), static_cast<std::uint32_t>(key.seed >> 32)},
        counter_{entity, key.step, key.replicate,
                 static_cast<std::uint32_t>(key.stream) << 24} {}

  // 32 uniformly distributed bits.
  std::uint32_t bits() {
    if (lane_ == 4) refill();
    return block_[lane_++];
  }

  // Uniform on the open interval (0, 1), with 2^-32 resolution: never 0 or 1,
  // so log(u) and comparisons `u < p` are safe at p = 0 and p = 1.
  double uniform() { return (static_cast<double>(bits()) + 0.5) * 0x1p-32; }

  bool bernoulli(double p) { return uniform() < p; }

  // Exponential with rate 1.
  double exponential() { return -std::log(uniform()); }

  // Standard normal by Box-Muller (two uniforms, one value: simple and
  // independent of any cached state).
  double normal() {
    const double u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

  // Gamma(shape, 1) by Marsaglia & Tsang (2000), with the shape < 1 boost.
  double gamma(double shape) {
    if (shape < 1.0) {
      // Two statements: the order of the draws must not be left to the compiler.
      const double boost = std::pow(uniform(), 1.0 / shape);
      return gamma(shape + 1.0) * boost;
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x = normal();
      double v = 1.0 + c * x;
      if (v <= 0.0) continue;
      v = v * v * v;
      const double u = uniform();
      if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
    }
  }

  // Beta(a, b) from two gammas.
  double beta(double a, double b) {
    const double x = gamma(a);
    const double y = gamma(b);
    return x / (x + y);
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

}  // namespace migrasim
