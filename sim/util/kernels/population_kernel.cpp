// Agents' initial attributes, one vector of agents at a time (see
// population_kernel.hpp). This file is compiled three times, with
// MIGRASIM_POPULATION_LANES = 1 (portable), 4 (-mavx2) and 8 (-mavx512f); each
// compilation defines one of draw_portable, draw_avx2, draw_avx512. The
// formulas below are written once, for a vector `Vd` of LANES doubles, and
// read the same for one lane.
#include "util/kernels/population_kernel.hpp"

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 warns about its own AVX-512 headers (GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <sleef.h>
#pragma GCC diagnostic pop
#else
#include <sleef.h>
#endif

#ifndef MIGRASIM_POPULATION_LANES
#error "compile with MIGRASIM_POPULATION_LANES = 1, 4 or 8"
#endif
#define LANES MIGRASIM_POPULATION_LANES

namespace migrasim::population_kernel {
namespace {

// ---- The few vector operations the formulas need, for each width. --------
#if LANES == 8
using Vd = __m512d;
using Mask = __mmask8;
inline Vd splat(double x) { return _mm512_set1_pd(x); }
inline Vd uniform(const uint32_t* w) {  // (bits + 0.5) 2^-32, exact
  const Vd bits = _mm512_cvtepu32_pd(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)));
  return _mm512_mul_pd(_mm512_add_pd(bits, splat(0.5)), splat(0x1p-32));
}
inline Vd vsqrt(Vd x) { return _mm512_sqrt_pd(x); }
inline Vd vlog(Vd x) { return Sleef_cinz_logd8_u10avx512fnofma(x); }
inline Vd vexp(Vd x) { return Sleef_cinz_expd8_u10avx512fnofma(x); }
inline void sincos_2pi(Vd u, Vd* s, Vd* c) {  // sin and cos of 2 pi u, u in (0, 1)
  const Sleef___m512d_2 r = Sleef_cinz_sincospid8_u05avx512fnofma(_mm512_add_pd(u, u));
  *s = r.x;
  *c = r.y;
}
inline Mask less(Vd a, Vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
inline Mask greater(Vd a, Vd b) { return _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ); }
inline Mask both(Mask a, Mask b) { return static_cast<Mask>(a & b); }
inline Vd select(Mask m, Vd yes, Vd no) { return _mm512_mask_blend_pd(m, no, yes); }
inline bool lane(Mask m, unsigned j) { return (m >> j) & 1u; }
inline Vd load(const double* p) { return _mm512_loadu_pd(p); }
inline void store(double* p, Vd x) { _mm512_storeu_pd(p, x); }
inline void store_float(float* p, Vd x) { _mm256_storeu_ps(p, _mm512_cvtpd_ps(x)); }
#define F(name) name##_avx512
#elif LANES == 4
using Vd = __m256d;
using Mask = __m256d;  // all-ones or all-zeros lanes
inline Vd splat(double x) { return _mm256_set1_pd(x); }
inline Vd uniform(const uint32_t* w) {  // (bits + 0.5) 2^-32, exact
  // No unsigned conversion before AVX-512: convert bits - 2^31 as signed, add 2^31 back.
  const __m128i biased = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w)),
                                       _mm_set1_epi32(static_cast<int>(0x80000000u)));
  const Vd bits = _mm256_add_pd(_mm256_cvtepi32_pd(biased), splat(2147483648.0));
  return _mm256_mul_pd(_mm256_add_pd(bits, splat(0.5)), splat(0x1p-32));
}
inline Vd vsqrt(Vd x) { return _mm256_sqrt_pd(x); }
inline Vd vlog(Vd x) { return Sleef_cinz_logd4_u10avx(x); }
inline Vd vexp(Vd x) { return Sleef_cinz_expd4_u10avx(x); }
inline void sincos_2pi(Vd u, Vd* s, Vd* c) {
  const Sleef___m256d_2 r = Sleef_cinz_sincospid4_u05avx(_mm256_add_pd(u, u));
  *s = r.x;
  *c = r.y;
}
inline Mask less(Vd a, Vd b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
inline Mask greater(Vd a, Vd b) { return _mm256_cmp_pd(a, b, _CMP_GT_OQ); }
inline Mask both(Mask a, Mask b) { return _mm256_and_pd(a, b); }
inline Vd select(Mask m, Vd yes, Vd no) { return _mm256_blendv_pd(no, yes, m); }
inline bool lane(Mask m, unsigned j) { return (_mm256_movemask_pd(m) >> j) & 1; }
inline Vd load(const double* p) { return _mm256_loadu_pd(p); }
inline void store(double* p, Vd x) { _mm256_storeu_pd(p, x); }
inline void store_float(float* p, Vd x) { _mm_storeu_ps(p, _mm256_cvtpd_ps(x)); }
#define F(name) name##_avx2
#elif LANES == 1
using Vd = double;
using Mask = bool;
inline Vd splat(double x) { return x; }
inline Vd uniform(const uint32_t* w) { return (static_cast<double>(*w) + 0.5) * 0x1p-32; }
inline Vd vsqrt(Vd x) { return __builtin_sqrt(x); }  // IEEE: correctly rounded everywhere
inline Vd vlog(Vd x) { return Sleef_cinz_logd1_u10purec(x); }
inline Vd vexp(Vd x) { return Sleef_cinz_expd1_u10purec(x); }
inline void sincos_2pi(Vd u, Vd* s, Vd* c) {
  const Sleef_double_2 r = Sleef_cinz_sincospid1_u05purec(u + u);
  *s = r.x;
  *c = r.y;
}
inline Mask less(Vd a, Vd b) { return a < b; }
inline Mask greater(Vd a, Vd b) { return a > b; }
inline Mask both(Mask a, Mask b) { return a && b; }
inline Vd select(Mask m, Vd yes, Vd no) { return m ? yes : no; }
inline bool lane(Mask m, unsigned) { return m; }
inline Vd load(const double* p) { return *p; }
inline void store(double* p, Vd x) { *p = x; }
inline void store_float(float* p, Vd x) { *p = static_cast<float>(x); }
#define F(name) name##_portable
#else
#error "MIGRASIM_POPULATION_LANES must be 1, 4 or 8"
#endif

inline Vd add(Vd a, Vd b) { return a + b; }
inline Vd sub(Vd a, Vd b) { return a - b; }
inline Vd mul(Vd a, Vd b) { return a * b; }

// ---- The formulas. -------------------------------------------------------

// A Box-Muller pair of standard normals from uniforms u1, u2.
inline void box_muller(Vd u1, Vd u2, Vd* z_cos, Vd* z_sin) {
  const Vd r = vsqrt(mul(splat(-2.0), vlog(u1)));
  Vd s, c;
  sincos_2pi(u2, &s, &c);
  *z_cos = mul(r, c);
  *z_sin = mul(r, s);
}

// One attempt of Marsaglia & Tsang's Gamma(d + 1/3) sampler from the normal z and
// uniform u: d v with v = (1 + c z)^3, accepted when v > 0 and
// ln u < z^2 / 2 + d - d v + d ln v. Always evaluated in full (a vector has no
// branch); the rejected lanes' values are not used. Returns ln(d v) = ln d + ln v,
// reusing the ln v of the test.
inline Vd log_gamma_attempt(const Params& p, unsigned k, Vd z, Vd u, Mask* accepted) {
  const Vd d = splat(p.d[k]);
  const Vd v1 = add(splat(1.0), mul(splat(p.c[k]), z));
  const Mask positive = greater(v1, splat(0.0));
  const Vd v = select(positive, v1, splat(1.0));  // keeps ln v finite in lanes already rejected
  const Vd v3 = mul(mul(v, v), v);
  const Vd log_v3 = vlog(v3);
  const Vd bound = add(sub(add(mul(mul(splat(0.5), z), z), d), mul(d, v3)), mul(d, log_v3));
  *accepted = both(positive, less(vlog(u), bound));
  return add(splat(p.log_d[k]), log_v3);
}

// The logarithm of Gamma k from that of its attempt: for a shape below 1 the
// boost U^(1 / shape) is added as ln U / shape. Kept as a logarithm because
// for small shapes the boost underflows (Beta(0.001, 0.001) is nearly always
// within 1e-300 of 0 or 1), where X / (X + Y) would be 0 / 0.
inline Vd log_gamma(const Params& p, unsigned k, Vd log_attempt, Vd u_boost) {
  if (p.shape[k] >= 1.0) return log_attempt;
  return add(log_attempt, mul(vlog(u_boost), splat(p.inv_shape[k])));
}

// X / (X + Y) = 1 / (1 + exp(ln Y - ln X)): never 0 / 0, and exp's overflow
// gives 0 and its underflow 1, the right limits.
inline Vd beta_from_logs(Vd log_x, Vd log_y) {
  return splat(1.0) / add(splat(1.0), vexp(sub(log_y, log_x)));
}

// Agents j .. j + LANES - 1.
inline void draw_lanes(const Params& p, const uint32_t* words, size_t stride, size_t j,
                       float* savings, double* log_gammas, uint8_t* rejected) {
  const auto word = [&](unsigned w) { return uniform(words + w * stride + j); };
  Vd z[kGammas + 1];  // savings' normal, then each Gamma's
  box_muller(word(kPairA1), word(kPairA2), &z[0], &z[1]);
  box_muller(word(kPairB1), word(kPairB2), &z[2], &z[3]);
  Vd unused;
  box_muller(word(kPairC1), word(kPairC2), &z[4], &unused);

  store_float(savings + j, mul(splat(p.savings_median), vexp(mul(splat(p.savings_sigma), z[0]))));
  uint8_t rejected_bits[LANES] = {};
  for (unsigned k = 0; k < kGammas; ++k) {
    Mask accepted;
    const Vd attempt = log_gamma_attempt(p, k, z[k + 1], word(kAccept0 + k), &accepted);
    store(log_gammas + k * stride + j, log_gamma(p, k, attempt, word(kBoost0 + k)));
    for (unsigned l = 0; l < LANES; ++l) {
      if (!lane(accepted, l)) rejected_bits[l] = static_cast<uint8_t>(rejected_bits[l] | 1u << k);
    }
  }
  for (unsigned l = 0; l < LANES; ++l) rejected[j + l] = rejected_bits[l];
}

}  // namespace

size_t F(draw)(const Params& p, const uint32_t* words, size_t stride, size_t n, float* savings,
               double* log_gammas, uint8_t* rejected) {
  const size_t whole = n - n % LANES;
  for (size_t j = 0; j < whole; j += LANES) {
    draw_lanes(p, words, stride, j, savings, log_gammas, rejected);
  }
  return whole;
}

size_t F(betas)(const double* log_gammas, size_t stride, size_t n, float* risk_tolerance,
                float* claim_strength) {
  const size_t whole = n - n % LANES;
  for (size_t j = 0; j < whole; j += LANES) {
    const auto log_gamma_of = [&](unsigned k) { return load(log_gammas + k * stride + j); };
    store_float(risk_tolerance + j, beta_from_logs(log_gamma_of(0), log_gamma_of(1)));
    store_float(claim_strength + j, beta_from_logs(log_gamma_of(2), log_gamma_of(3)));
  }
  return whole;
}

#if LANES == 1
bool gamma_retry(const Params& p, unsigned k, uint32_t u1, uint32_t u2, uint32_t u,
                 uint32_t boost_word, double* log_value) {
  Vd z, unused;
  box_muller(uniform(&u1), uniform(&u2), &z, &unused);
  Mask accepted;
  const Vd attempt = log_gamma_attempt(p, k, z, uniform(&u), &accepted);
  if (accepted) *log_value = log_gamma(p, k, attempt, uniform(&boost_word));
  return accepted;
}
#endif

}  // namespace migrasim::population_kernel
