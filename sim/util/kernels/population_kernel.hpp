// The arithmetic of drawing agents' initial attributes, many agents at a time.
//
// sim/engine/population_sampler.hpp is the interface the engine uses; this header is
// the contract between it and population_kernel.cpp, which is compiled once per
// instruction set (portable, AVX2, AVX-512) with that set enabled for the whole
// file. Such a file must not define anything the rest of the program could
// share: an inline function or template instance with external linkage may be
// kept by the linker for the whole program, and run AVX-512 code on a CPU
// without it. So the kernel uses no C++ library code (what <immintrin.h> pulls
// in, it leaves unused), keeps its helpers in an anonymous namespace, and
// tests/check_kernel_symbols.sh (a ctest) fails on any weak function in the
// kernel objects.
//
// Every kernel computes the same formulas in the same order with IEEE basic
// operations (no contraction into fused multiply-adds: -ffp-contract=off) and
// SLEEF's deterministic elementary functions (the `cinz` family: the same bits
// for every vector width), so all kernels give the same bits.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace migrasim::population_kernel {

// The words of an agent's initial-population stream (StreamId::kInitialPopulation)
// and what each is used for. Word w is word w % 4 of Philox block w / 4.
// Changing this table changes every result for the same seed.
// clang-format off
enum Word : unsigned {
  // Box-Muller pairs (u1, u2): normals r cos(2 pi u2) and r sin(2 pi u2), r = sqrt(-2 ln u1).
  kPairA1 = 0, kPairA2 = 1,  // cos: savings; sin: Gamma 0
  kPairB1 = 2, kPairB2 = 3,  // cos: Gamma 1; sin: Gamma 2
  kPairC1 = 4, kPairC2 = 5,  // cos: Gamma 3; sin unused
  kAccept0 = 6,              // Marsaglia-Tsang acceptance uniforms of Gammas 0..3: words 6..9
  kBoost0 = 10,              // shape-below-1 boosts of Gammas 0..3: words 10..13
  kTrialRouteAware = 14,     // Bernoulli trials for the initial flags
  kTrialFalsifiedDocuments = 15,
  kTrialHighRisk = 16,
  kTrialLegalAware = 17,
  kWords = 20,               // words 18 and 19 are not used
};
// clang-format on
inline constexpr unsigned kBlocks = kWords / 4;  // whole Philox blocks holding the words
inline constexpr unsigned kGammas = 4;           // risk tolerance a, b; claim strength a, b

// The distributions, with what the kernels need precomputed once.
struct Params {
  double savings_median;  // lognormal savings: median * exp(sigma * normal)
  double savings_sigma;
  // Gamma k is drawn as Gamma(s) with s = shape[k] when shape[k] >= 1, else as
  // Gamma(shape[k] + 1) * U^(1 / shape[k]) (Marsaglia & Tsang 2000, section 6).
  double shape[kGammas];
  double d[kGammas];          // s - 1/3 for the shape s actually drawn
  double log_d[kGammas];      // ln d
  double c[kGammas];          // 1 / sqrt(9 d)
  double inv_shape[kGammas];  // 1 / shape[k], used where shape[k] < 1
};

// For agents j = 0 .. n - 1, with word w of agent j at words[w * stride + j]:
//   savings[j]                   the lognormal savings (float);
//   log_gammas[k * stride + j]   ln of Gamma k, boost included, where its first
//                                attempt was accepted;
//   rejected[j]                  bit k set where Gamma k's first attempt was
//                                rejected: the caller draws it again (gamma_retry)
//                                from the agent's later blocks.
// The portable kernels take any n; the vector kernels take the first
// n - n % lanes agents and return how many they took.
size_t draw_portable(const Params& p, const uint32_t* words, size_t stride, size_t n,
                     float* savings, double* log_gammas, uint8_t* rejected);
size_t draw_avx2(const Params& p, const uint32_t* words, size_t stride, size_t n, float* savings,
                 double* log_gammas, uint8_t* rejected);
size_t draw_avx512(const Params& p, const uint32_t* words, size_t stride, size_t n, float* savings,
                   double* log_gammas, uint8_t* rejected);

// One later attempt at Gamma k from the uniforms (u1, u2) of a Box-Muller pair
// (its cos normal) and acceptance uniform u, as 32-bit words; true and
// *log_value = ln of the Gamma, boost included (from boost_word), where it is
// accepted.
bool gamma_retry(const Params& p, unsigned k, uint32_t u1, uint32_t u2, uint32_t u,
                 uint32_t boost_word, double* log_value);

// The Beta draws from the Gammas' logarithms: risk_tolerance[j] = X0 / (X0 + X1),
// claim_strength[j] = X2 / (X2 + X3), as floats. Same n as for draw_*.
size_t betas_portable(const double* log_gammas, size_t stride, size_t n, float* risk_tolerance,
                      float* claim_strength);
size_t betas_avx2(const double* log_gammas, size_t stride, size_t n, float* risk_tolerance,
                  float* claim_strength);
size_t betas_avx512(const double* log_gammas, size_t stride, size_t n, float* risk_tolerance,
                    float* claim_strength);

}  // namespace migrasim::population_kernel
