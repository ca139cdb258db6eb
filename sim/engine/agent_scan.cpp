#include "engine/agent_scan.hpp"

#include <bit>
#include <cstdlib>
#include <string>

#include "util/x86_intrinsics.hpp"

namespace migrasim {
namespace {

std::size_t select_portable(const AgentFilter& f, std::int64_t lo, std::int64_t hi,
                            std::uint32_t* ids) {
  const auto* status = reinterpret_cast<const std::uint8_t*>(f.status);
  const auto first = static_cast<std::uint8_t>(f.first);
  const auto span = static_cast<std::uint8_t>(static_cast<std::uint8_t>(f.last) - first);
  std::size_t n = 0;
  if (f.flag_mask == 0) {
    for (std::int64_t i = lo; i < hi; ++i) {
      ids[n] = static_cast<std::uint32_t>(i);
      n += static_cast<std::uint8_t>(status[i] - first) <= span;
    }
  } else {
    for (std::int64_t i = lo; i < hi; ++i) {
      ids[n] = static_cast<std::uint32_t>(i);
      n += (static_cast<std::uint8_t>(status[i] - first) <= span) &
           ((f.flags[i] & f.flag_mask) == f.flag_value);
    }
  }
  return n;
}

#if MIGRASIM_X86
// 64 agents at a time: byte compares into a 64-bit mask, then the indices of
// the set bits packed 16 at a time (vpcompressd into a register, then one
// store: the memory form is slow on some AMD cores).
__attribute__((target("avx512f,avx512bw"))) std::size_t select_avx512(const AgentFilter& f,
                                                                      std::int64_t lo,
                                                                      std::int64_t hi,
                                                                      std::uint32_t* ids) {
  const auto* status = reinterpret_cast<const std::uint8_t*>(f.status);
  const __m512i first = _mm512_set1_epi8(static_cast<char>(f.first));
  const __m512i span = _mm512_set1_epi8(
      static_cast<char>(static_cast<std::uint8_t>(f.last) - static_cast<std::uint8_t>(f.first)));
  const __m512i flag_mask = _mm512_set1_epi8(static_cast<char>(f.flag_mask));
  const __m512i flag_value = _mm512_set1_epi8(static_cast<char>(f.flag_value));
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  std::size_t n = 0;
  std::int64_t i = lo;
  for (; i + 64 <= hi; i += 64) {
    const __m512i s = _mm512_loadu_si512(status + i);
    __mmask64 keep = _mm512_cmple_epu8_mask(_mm512_sub_epi8(s, first), span);
    if (f.flag_mask != 0) {
      const __m512i flags = _mm512_loadu_si512(f.flags + i);
      keep &= _mm512_cmpeq_epi8_mask(_mm512_and_si512(flags, flag_mask), flag_value);
    }
    if (keep == 0) continue;
    for (int quarter = 0; quarter < 4; ++quarter) {
      const auto k = static_cast<__mmask16>(keep >> (16 * quarter));
      if (k == 0) continue;
      const __m512i index =
          _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(i + 16 * quarter)), iota);
      _mm512_storeu_si512(ids + n, _mm512_maskz_compress_epi32(k, index));
      n += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(k)));
    }
  }
  return n + select_portable(f, i, hi, ids + n);
}
#endif

using SelectFn = std::size_t (*)(const AgentFilter&, std::int64_t, std::int64_t, std::uint32_t*);

SelectFn choose_select() {
#if MIGRASIM_X86
  // The same switch as the draw kernels: MIGRASIM_DRAW_KERNEL=portable or
  // avx2 keeps to code without AVX-512.
  const char* forced = std::getenv("MIGRASIM_DRAW_KERNEL");
  const bool avoid = forced != nullptr && std::string(forced) != "avx512";
  if (!avoid && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw"))
    return select_avx512;
#endif
  return select_portable;
}

}  // namespace

std::size_t select_agents(const AgentFilter& filter, std::int64_t lo, std::int64_t hi,
                          std::uint32_t* ids) {
  static const SelectFn select = choose_select();
  return select(filter, lo, hi, ids);
}

std::size_t select_agents_portable(const AgentFilter& filter, std::int64_t lo, std::int64_t hi,
                                   std::uint32_t* ids) {
  return select_portable(filter, lo, hi, ids);
}

}  // namespace migrasim
