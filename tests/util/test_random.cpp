// The batched first draws (random.cpp) and the integer form of a Bernoulli
// trial: every kernel the CPU has gives exactly the bits Draws gives, so
// vectorised and scalar runs are the same to the last bit.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "util/random.hpp"

namespace migrasim {
namespace {

std::vector<std::uint32_t> entities_for_test() {
  std::vector<std::uint32_t> ids;
  // Consecutive, scattered, extreme, repeated, and a length that is not a
  // multiple of any vector width.
  for (std::uint32_t i = 0; i < 100; ++i) ids.push_back(i);
  for (std::uint32_t i = 0; i < 200; ++i) ids.push_back(i * 2654435761u);
  for (std::uint32_t i : {0u, 1u, 0xFFFFFFFFu, 0xFFFF0000u, 7u, 7u, 0x80000000u}) ids.push_back(i);
  return ids;
}

TEST(FirstBits, EveryKernelMatchesDraws) {
  const std::vector<std::uint32_t> ids = entities_for_test();
  for (const StreamKey key : {StreamKey{0, 0, 0, StreamId::kInformation},
                              StreamKey{0xFEDCBA9876543210ull, 7, 1234, StreamId::kDecisions},
                              StreamKey{~0ull, ~0u, ~0u, StreamId::kPathwayQueue}}) {
    std::vector<std::uint32_t> expected;
    for (std::uint32_t id : ids) expected.push_back(Draws(key, id).bits());
    for (DrawKernel kernel : available_draw_kernels()) {
      for (std::size_t length : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{8},
                                 std::size_t{13}, ids.size()}) {
        std::vector<std::uint32_t> bits(length, 0xDEADBEEFu);
        first_bits(kernel, key, {ids.data(), length}, bits.data());
        for (std::size_t j = 0; j < length; ++j) {
          ASSERT_EQ(bits[j], expected[j])
              << to_string(kernel) << " entity " << ids[j] << " length " << length;
        }
      }
    }
    std::vector<std::uint32_t> bits(ids.size());
    first_bits(key, ids, bits.data());
    EXPECT_EQ(bits, expected) << "default kernel " << to_string(fastest_draw_kernel());
  }
}

TEST(FirstBits, EveryKernelFlagsTheDrawsBelowAThreshold) {
  std::vector<std::uint32_t> ids = entities_for_test();
  ids.resize(ids.size() / 8 * 8);
  const StreamKey key{99, 3, 500, StreamId::kInformation};
  for (const std::uint64_t below : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1} << 31,
                                    (std::uint64_t{1} << 32) - 1, std::uint64_t{1} << 32}) {
    for (DrawKernel kernel : available_draw_kernels()) {
      std::vector<std::uint32_t> bits(ids.size());
      std::vector<std::uint8_t> hits(ids.size() / 8, 0xA5);
      first_bits_below(kernel, key, ids, below, bits.data(), hits.data());
      for (std::size_t j = 0; j < ids.size(); ++j) {
        const std::uint32_t expected = Draws(key, ids[j]).bits();
        ASSERT_EQ(bits[j], expected) << to_string(kernel);
        ASSERT_EQ((hits[j / 8] >> (j % 8)) & 1, expected < below ? 1 : 0)
            << to_string(kernel) << " below " << below;
      }
    }
  }
}

TEST(PhiloxBlocks, AreTheWordsDrawsGives) {
  const StreamKey key{123456789ull << 20, 2, 0, StreamId::kInitialPopulation};
  constexpr std::size_t kStride = 40;
  constexpr std::uint32_t kBlocks = 3;
  for (DrawKernel kernel : available_draw_kernels()) {
    for (const std::size_t n : {std::size_t{1}, std::size_t{8}, std::size_t{37}}) {
      std::vector<std::uint32_t> blocks(4 * kBlocks * kStride);
      philox_blocks(kernel, key, 1000, n, kBlocks, blocks.data(), kStride);
      for (std::size_t j = 0; j < n; ++j) {
        Draws plain(key, static_cast<std::uint32_t>(1000 + j));
        for (std::size_t w = 0; w < 4 * kBlocks; ++w)
          ASSERT_EQ(blocks[w * kStride + j], plain.bits()) << to_string(kernel) << " " << j;
      }
    }
  }
}

TEST(FirstBits, PortableKernelIsAlwaysThere) {
  const std::vector<DrawKernel> kernels = available_draw_kernels();
  ASSERT_FALSE(kernels.empty());
  EXPECT_EQ(kernels.front(), DrawKernel::kPortable);
}

// b < bernoulli_threshold(p) must hold exactly when uniform_from_bits(b) < p.
void expect_threshold_exact(double p) {
  const std::uint64_t t = bernoulli_threshold(p);
  ASSERT_LE(t, std::uint64_t{1} << 32) << p;
  // The boundary and its neighbours, and the ends.
  for (std::int64_t d = -3; d <= 3; ++d) {
    const std::int64_t b = static_cast<std::int64_t>(t) + d;
    if (b < 0 || b > 0xFFFFFFFFll) continue;
    const auto bits = static_cast<std::uint32_t>(b);
    EXPECT_EQ(bits < t, uniform_from_bits(bits) < p) << "p " << p << " bits " << bits;
  }
  for (std::uint32_t bits : {0u, 1u, 0xFFFFFFFEu, 0xFFFFFFFFu}) {
    EXPECT_EQ(bits < t, uniform_from_bits(bits) < p) << "p " << p << " bits " << bits;
  }
}

TEST(BernoulliThreshold, DecidesExactlyAsTheUniformDoes) {
  for (double p : {0.0, -1.0, 1e-300, 1e-12, 0x1p-33, 0x1p-32, 1.5 * 0x1p-32, 1e-4, 0.25, 0.5,
                   0.5 + 0x1p-40, 1.0 - 0x1p-33, 1.0 - 0x1p-40, 1.0, 2.0, std::nan("")}) {
    expect_threshold_exact(p);
  }
  // Every boundary between two adjacent uniforms, and just either side of it.
  for (std::uint32_t b : {0u, 1u, 12345u, 0x7FFFFFFFu, 0xFFFFFFFEu}) {
    const double u = uniform_from_bits(b);
    for (double p : {u, std::nextafter(u, 0.0), std::nextafter(u, 1.0)}) expect_threshold_exact(p);
  }
  Draws draws(StreamKey{5, 0, 0, StreamId::kDecisions}, 1);
  for (int k = 0; k < 20000; ++k) expect_threshold_exact(draws.uniform() * (k % 2 ? 1e-3 : 1.0));
}

TEST(BernoulliThreshold, ZeroAndOneAreNeverAndAlways) {
  EXPECT_EQ(bernoulli_threshold(0.0), 0u);
  EXPECT_EQ(bernoulli_threshold(1.0), std::uint64_t{1} << 32);
}

}  // namespace
}  // namespace migrasim
