// Agents' attributes at the start of a replicate, drawn from the scenario's
// distributions (docs/model.md, "Population"):
//   savings          lognormal: median * exp(sigma * Z)
//   risk tolerance   Beta(mean * concentration, (1 - mean) * concentration)
//   claim strength   Beta, likewise
//   flags            Bernoulli: route aware, falsified documents, high risk,
//                    aware of legal pathways
//
// Each agent's draws come from its own stream (StreamId::kInitialPopulation,
// entity = agent), in the fixed layout of sim/util/kernels/population_kernel.hpp, so
// an agent's attributes depend on the seed, the replicate and its index only:
// an agent at home keeps none of them (state.hpp), and they are drawn again,
// one agent at a time (draw_one), when a step needs them and when it leaves.
// The normals (Box-Muller) and Gammas (Marsaglia & Tsang, Beta = X / (X + Y))
// are computed eight or four agents per instruction where the CPU has AVX-512
// or AVX2; every kernel gives the same bits.
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/model.hpp"
#include "util/kernels/population_kernel.hpp"
#include "util/random.hpp"

namespace migrasim {

struct Agents;

// The attributes drawn for one agent (flags: the four Bernoulli flags above).
struct AgentAttributes {
  float savings_usd = 0.0f;
  float risk_tolerance = 0.0f;
  float claim_strength = 0.0f;
  std::uint8_t flags = 0;
};

class PopulationSampler {
 public:
  // Agents drawn together: the scratch of one batch stays in the L1/L2 cache.
  static constexpr std::size_t kBatch = 256;

  explicit PopulationSampler(const Model& model, DrawKernel kernel = fastest_draw_kernel());

  // Working memory of one batch; one per thread.
  struct Scratch {
    std::uint32_t words[population_kernel::kWords * kBatch];
    double log_gammas[population_kernel::kGammas * kBatch];
    std::uint8_t rejected[kBatch];
  };

  // Draws the attributes of agents first .. first + n - 1 (n <= kBatch) from
  // the streams of `key` into their savings, risk tolerance, claim strength and
  // flags (the four flags above are set or cleared; other flag bits are kept).
  void draw(const StreamKey& key, std::uint32_t first, std::size_t n, Agents& agents,
            Scratch& scratch) const;
  // The same for agents first .. first + n - 1 written to slots slot .. slot +
  // n - 1 of `agents` (the agents of initial stocks).
  void draw(const StreamKey& key, std::uint32_t first, std::size_t n, std::size_t slot,
            Agents& agents, Scratch& scratch) const;

  // The attributes of agent `entity` alone, the same bits a batch gives it; no
  // allocation (a pick of the decisions stage, a leaver).
  AgentAttributes draw_one(const StreamKey& key, std::uint32_t entity) const;

  // The attributes of agents entities[0 .. n - 1] (any indices, n <= kBatch)
  // into out[0 .. n - 1], the same bits as draw_one, through the vector
  // kernels: for agents picked far apart (the decisions stage).
  void draw_many(const StreamKey& key, const std::uint32_t* entities, std::size_t n,
                 AgentAttributes* out, Scratch& scratch) const;

  const population_kernel::Params& params() const { return params_; }

 private:
  // Agents first .. first + n - 1, word w of agent j at words[w * stride + j]
  // (stride >= n), into the arrays at [j]; flags keep bits other than the four.
  // Agent j is entity first + j, or entities[j] where entities is given (its
  // words then already in `words`).
  void draw_into(const StreamKey& key, std::uint32_t first, std::size_t n, std::size_t stride,
                 std::uint32_t* words, double* log_gammas, std::uint8_t* rejected, float* savings,
                 float* risk_tolerance, float* claim_strength, std::uint8_t* flags,
                 const std::uint32_t* entities = nullptr) const;

  population_kernel::Params params_{};
  DrawKernel kernel_;
  std::uint64_t route_aware_below_;  // Bernoulli thresholds (bernoulli_threshold)
  std::uint64_t falsified_below_;
  std::uint64_t high_risk_below_;
  std::uint64_t legal_aware_below_;
};

}  // namespace migrasim
