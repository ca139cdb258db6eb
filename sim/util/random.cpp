#include "util/random.hpp"

#include <cstdlib>

#include "util/x86_intrinsics.hpp"

namespace migrasim {
namespace {

// The counter of block 0 of an entity's stream, and the key (random.hpp).
struct FirstBlock {
  std::uint32_t c1, c2, c3, k0, k1;
  explicit FirstBlock(const StreamKey& key)
      : c1(key.step),
        c2(key.replicate),
        c3(static_cast<std::uint32_t>(key.stream) << 24),
        k0(static_cast<std::uint32_t>(key.seed)),
        k1(static_cast<std::uint32_t>(key.seed >> 32)) {}
};

void first_bits_portable(const FirstBlock& f, const std::uint32_t* entities, std::size_t n,
                         std::uint32_t* bits) {
  for (std::size_t j = 0; j < n; ++j) {
    bits[j] = philox4x32_10({entities[j], f.c1, f.c2, f.c3}, {f.k0, f.k1})[0];
  }
}

void first_bits_below_portable(const FirstBlock& f, const std::uint32_t* entities, std::size_t n,
                               std::uint64_t below, std::uint32_t* bits, std::uint8_t* hits) {
  first_bits_portable(f, entities, n, bits);
  for (std::size_t j = 0; j < n; j += 8) {
    unsigned byte = 0;
    for (std::size_t k = 0; k < 8; ++k) byte |= static_cast<unsigned>(bits[j + k] < below) << k;
    hits[j / 8] = static_cast<std::uint8_t>(byte);
  }
}

void philox_blocks_portable(const StreamKey& key, std::uint32_t first, std::size_t n,
                            std::uint32_t blocks, std::uint32_t* out, std::size_t stride) {
  const PhiloxKey k{static_cast<std::uint32_t>(key.seed),
                    static_cast<std::uint32_t>(key.seed >> 32)};
  for (std::uint32_t b = 0; b < blocks; ++b) {
    const std::uint32_t c3 = static_cast<std::uint32_t>(key.stream) << 24 | b;
    for (std::size_t j = 0; j < n; ++j) {
      const PhiloxCounter block =
          philox4x32_10({first + static_cast<std::uint32_t>(j), key.step, key.replicate, c3}, k);
      for (std::size_t w = 0; w < 4; ++w) out[(4 * b + w) * stride + j] = block[w];
    }
  }
}

#if MIGRASIM_X86
// Each 32-bit word of the Philox state lives in the low half of a 64-bit lane,
// where vpmuludq multiplies it into a full 64-bit product. The high halves of
// the lanes carry garbage that nothing reads: vpmuludq ignores them, and only
// the low half of each lane is stored.

// The ten round keys of Philox4x32-10, each broadcast to all eight lanes.
// Filled into the caller's arrays, which the compiler keeps in registers.
__attribute__((target("avx512f"), always_inline)) inline void avx512_round_keys(std::uint32_t k0,
                                                                                std::uint32_t k1,
                                                                                __m512i* key0,
                                                                                __m512i* key1) {
  for (int round = 0; round < 10; ++round) {
    key0[round] = _mm512_set1_epi64(k0);
    key1[round] = _mm512_set1_epi64(k1);
    k0 += detail::kPhiloxW0;
    k1 += detail::kPhiloxW1;
  }
}

// The ten rounds on eight counters (x0, x1, x2, x3), in place.
__attribute__((target("avx512f"), always_inline)) inline void philox_rounds_avx512(
    __m512i& x0, __m512i& x1, __m512i& x2, __m512i& x3, const __m512i* key0, const __m512i* key1) {
  const __m512i m0 = _mm512_set1_epi64(detail::kPhiloxM0);
  const __m512i m1 = _mm512_set1_epi64(detail::kPhiloxM1);
#pragma GCC unroll 10
  for (int round = 0; round < 10; ++round) {
    const __m512i p0 = _mm512_mul_epu32(x0, m0);
    const __m512i p1 = _mm512_mul_epu32(x2, m1);
    x0 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p1, 32), x1, key0[round], 0x96);  // a ^ b ^ c
    x1 = p1;
    x2 = _mm512_ternarylogic_epi64(_mm512_srli_epi64(p0, 32), x3, key1[round], 0x96);
    x3 = p0;
  }
}

// Word 0 of block 0 of eight entities' streams, from the other counter words
// c1, c2, c3 broadcast (by the caller, once: stores through a uint32_t pointer
// could alias FirstBlock, so they would be reloaded every iteration).
__attribute__((target("avx512f"), always_inline)) inline __m512i first_words_avx512(
    const std::uint32_t* entities, __m512i c1, __m512i c2, __m512i c3, const __m512i* key0,
    const __m512i* key1) {
  __m512i x0 =
      _mm512_cvtepu32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(entities)));
  philox_rounds_avx512(x0, c1, c2, c3, key0, key1);
  return x0;
}

__attribute__((target("avx512f"))) void first_bits_avx512(const FirstBlock& f,
                                                          const std::uint32_t* entities,
                                                          std::size_t n, std::uint32_t* bits) {
  __m512i key0[10], key1[10];
  avx512_round_keys(f.k0, f.k1, key0, key1);
  const __m512i c1 = _mm512_set1_epi64(f.c1), c2 = _mm512_set1_epi64(f.c2),
                c3 = _mm512_set1_epi64(f.c3);
  std::size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m512i x0 = first_words_avx512(entities + j, c1, c2, c3, key0, key1);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(bits + j), _mm512_cvtepi64_epi32(x0));
  }
  first_bits_portable(f, entities + j, n - j, bits + j);
}

// As first_bits_avx512, and the comparison with `below` done in the vector
// registers: reading the bits back one by one right after the vector stores
// would stall on store-to-load forwarding.
__attribute__((target("avx512f"))) void first_bits_below_avx512(const FirstBlock& f,
                                                                const std::uint32_t* entities,
                                                                std::size_t n, std::uint64_t below,
                                                                std::uint32_t* bits,
                                                                std::uint8_t* hits) {
  __m512i key0[10], key1[10];
  avx512_round_keys(f.k0, f.k1, key0, key1);
  const __m512i c1 = _mm512_set1_epi64(f.c1), c2 = _mm512_set1_epi64(f.c2),
                c3 = _mm512_set1_epi64(f.c3);
  const __m512i low_half = _mm512_set1_epi64(0xFFFFFFFFll);
  const __m512i threshold = _mm512_set1_epi64(static_cast<long long>(below));
  for (std::size_t j = 0; j < n; j += 8) {
    const __m512i x0 = first_words_avx512(entities + j, c1, c2, c3, key0, key1);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(bits + j), _mm512_cvtepi64_epi32(x0));
    hits[j / 8] = static_cast<std::uint8_t>(
        _mm512_cmplt_epu64_mask(_mm512_and_si512(x0, low_half), threshold));
  }
}

__attribute__((target("avx512f"))) void philox_blocks_avx512(const StreamKey& key,
                                                             std::uint32_t first, std::size_t n,
                                                             std::uint32_t blocks,
                                                             std::uint32_t* out,
                                                             std::size_t stride) {
  __m512i key0[10], key1[10];
  avx512_round_keys(static_cast<std::uint32_t>(key.seed),
                    static_cast<std::uint32_t>(key.seed >> 32), key0, key1);
  const __m512i c1 = _mm512_set1_epi64(key.step), c2 = _mm512_set1_epi64(key.replicate);
  const __m512i lanes = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
  const std::size_t whole = n / 8 * 8;
  for (std::uint32_t b = 0; b < blocks; ++b) {
    const __m512i c3 = _mm512_set1_epi64(static_cast<std::uint32_t>(key.stream) << 24 | b);
    std::uint32_t* w0 = out + (4 * b) * stride;
    for (std::size_t j = 0; j < whole; j += 8) {
      __m512i x0 =
          _mm512_add_epi64(_mm512_set1_epi64(first + static_cast<std::uint32_t>(j)), lanes);
      __m512i x1 = c1, x2 = c2, x3 = c3;
      philox_rounds_avx512(x0, x1, x2, x3, key0, key1);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(w0 + j), _mm512_cvtepi64_epi32(x0));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(w0 + stride + j), _mm512_cvtepi64_epi32(x1));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(w0 + 2 * stride + j),
                          _mm512_cvtepi64_epi32(x2));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(w0 + 3 * stride + j),
                          _mm512_cvtepi64_epi32(x3));
    }
  }
  // The last few, one at a time, into the same layout.
  philox_blocks_portable(key, first + static_cast<std::uint32_t>(whole), n - whole, blocks,
                         out + whole, stride);
}

__attribute__((target("avx2"))) void first_bits_avx2(const FirstBlock& f,
                                                     const std::uint32_t* entities, std::size_t n,
                                                     std::uint32_t* bits) {
  const __m256i m0 = _mm256_set1_epi64x(detail::kPhiloxM0);
  const __m256i m1 = _mm256_set1_epi64x(detail::kPhiloxM1);
  __m256i key0[10], key1[10];
  std::uint32_t k0 = f.k0, k1 = f.k1;
  for (int round = 0; round < 10; ++round) {
    key0[round] = _mm256_set1_epi64x(k0);
    key1[round] = _mm256_set1_epi64x(k1);
    k0 += detail::kPhiloxW0;
    k1 += detail::kPhiloxW1;
  }
  const __m256i c1 = _mm256_set1_epi64x(f.c1), c2 = _mm256_set1_epi64x(f.c2),
                c3 = _mm256_set1_epi64x(f.c3);
  const __m256i low_halves = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
  std::size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    __m256i x0 =
        _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(entities + j)));
    __m256i x1 = c1, x2 = c2, x3 = c3;
#pragma GCC unroll 10
    for (int round = 0; round < 10; ++round) {
      const __m256i p0 = _mm256_mul_epu32(x0, m0);
      const __m256i p1 = _mm256_mul_epu32(x2, m1);
      x0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), x1), key0[round]);
      x1 = p1;
      x2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), x3), key1[round]);
      x3 = p0;
    }
    const __m256i packed = _mm256_permutevar8x32_epi32(x0, low_halves);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(bits + j), _mm256_castsi256_si128(packed));
  }
  first_bits_portable(f, entities + j, n - j, bits + j);
}
#endif

bool supported(DrawKernel kernel) {
  switch (kernel) {
    case DrawKernel::kPortable:
      return true;
#if MIGRASIM_X86
    case DrawKernel::kAvx2:
      return __builtin_cpu_supports("avx2");
    case DrawKernel::kAvx512:
      return __builtin_cpu_supports("avx512f");
#else
    default:
      return false;
#endif
  }
  return false;
}

}  // namespace

const char* to_string(DrawKernel kernel) {
  switch (kernel) {
    case DrawKernel::kPortable:
      return "portable";
    case DrawKernel::kAvx2:
      return "avx2";
    case DrawKernel::kAvx512:
      return "avx512";
  }
  return "?";
}

std::vector<DrawKernel> available_draw_kernels() {
  std::vector<DrawKernel> kernels;
  for (DrawKernel k : {DrawKernel::kPortable, DrawKernel::kAvx2, DrawKernel::kAvx512}) {
    if (supported(k)) kernels.push_back(k);
  }
  return kernels;
}

DrawKernel fastest_draw_kernel() {
  // MIGRASIM_DRAW_KERNEL=portable (or avx2) picks a slower kernel, to compare.
  static const DrawKernel chosen = [] {
    const std::vector<DrawKernel> kernels = available_draw_kernels();
    if (const char* name = std::getenv("MIGRASIM_DRAW_KERNEL")) {
      for (DrawKernel k : kernels) {
        if (std::string(name) == to_string(k)) return k;
      }
    }
    return kernels.back();
  }();
  return chosen;
}

void first_bits(DrawKernel kernel, const StreamKey& key, std::span<const std::uint32_t> entities,
                std::uint32_t* bits) {
  const FirstBlock f(key);
  switch (kernel) {
#if MIGRASIM_X86
    case DrawKernel::kAvx512:
      first_bits_avx512(f, entities.data(), entities.size(), bits);
      return;
    case DrawKernel::kAvx2:
      first_bits_avx2(f, entities.data(), entities.size(), bits);
      return;
#endif
    default:
      first_bits_portable(f, entities.data(), entities.size(), bits);
  }
}

void first_bits(const StreamKey& key, std::span<const std::uint32_t> entities,
                std::uint32_t* bits) {
  first_bits(fastest_draw_kernel(), key, entities, bits);
}

void first_bits_below(DrawKernel kernel, const StreamKey& key,
                      std::span<const std::uint32_t> entities, std::uint64_t below,
                      std::uint32_t* bits, std::uint8_t* hits) {
  const FirstBlock f(key);
#if MIGRASIM_X86
  if (kernel == DrawKernel::kAvx512) {
    first_bits_below_avx512(f, entities.data(), entities.size(), below, bits, hits);
    return;
  }
#endif
  if (kernel == DrawKernel::kPortable) {
    first_bits_below_portable(f, entities.data(), entities.size(), below, bits, hits);
    return;
  }
  first_bits(kernel, key, entities, bits);
  for (std::size_t j = 0; j < entities.size(); j += 8) {
    unsigned byte = 0;
    for (std::size_t k = 0; k < 8; ++k) byte |= static_cast<unsigned>(bits[j + k] < below) << k;
    hits[j / 8] = static_cast<std::uint8_t>(byte);
  }
}

void first_bits_below(const StreamKey& key, std::span<const std::uint32_t> entities,
                      std::uint64_t below, std::uint32_t* bits, std::uint8_t* hits) {
  first_bits_below(fastest_draw_kernel(), key, entities, below, bits, hits);
}

void philox_blocks(DrawKernel kernel, const StreamKey& key, std::uint32_t first, std::size_t n,
                   std::uint32_t blocks, std::uint32_t* out, std::size_t stride) {
#if MIGRASIM_X86
  if (kernel == DrawKernel::kAvx512) {
    philox_blocks_avx512(key, first, n, blocks, out, stride);
    return;
  }
#endif
  (void)kernel;
  philox_blocks_portable(key, first, n, blocks, out, stride);
}

}  // namespace migrasim
