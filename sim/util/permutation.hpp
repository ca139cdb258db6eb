// A keyed pseudorandom permutation of [0, n), computed on demand in both
// directions without memory: position -> element and element -> position.
//
// Used where a random subset must grow one element at a time with every
// subset of a size equally likely: the elements at positions 0 .. m - 1 of a
// uniformly random order are a uniformly random m-subset, so a set that grows
// by taking the next positions is held as one number, m (engine: who at home
// knows the route, or of legal pathways, state.hpp).
//
// Construction: a Feistel network on w = bit_width(n - 1) bits (halves of
// floor(w/2) and ceil(w/2) bits, swapped each round; 4 rounds, each keyed by
// its own 32-bit word), which permutes [0, 2^w); values at or above n are
// mapped again until they fall in [0, n) ("cycle walking", which keeps a
// bijection of [0, n)). 2^w < 2n, so on average fewer than 2 walks. Four
// Feistel rounds with a well-mixing round function give a permutation that no
// statistical test on the simulation's scale tells from a uniform one
// (Luby and Rackoff 1988; tests/util/test_permutation.cpp).
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace migrasim {

class KeyedPermutation {
 public:
  KeyedPermutation() = default;
  KeyedPermutation(std::uint64_t n, const std::array<std::uint32_t, 4>& round_keys)
      : n_(n), keys_(round_keys) {
    const unsigned w = n <= 1 ? 0u : static_cast<unsigned>(std::bit_width(n - 1));
    low_bits_ = w / 2;
    high_bits_ = w - low_bits_;
  }

  std::uint64_t size() const { return n_; }

  // The element at `position` (< size()).
  std::uint64_t operator()(std::uint64_t position) const {
    std::uint64_t x = encrypt(position);
    while (x >= n_) x = encrypt(x);
    return x;
  }

  // The position of `element` (< size()): the inverse of operator().
  std::uint64_t position_of(std::uint64_t element) const {
    std::uint64_t x = decrypt(element);
    while (x >= n_) x = decrypt(x);
    return x;
  }

 private:
  // A 32-bit mixer with low bias (full avalanche), keyed per round.
  static std::uint32_t round_function(std::uint32_t half, std::uint32_t key) {
    std::uint32_t x = half ^ key;
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
  }

  // x = (left: high_bits_, right: low_bits_). Each round: (L, R) -> (R, L ^ F(R)),
  // the halves' widths swapping; after 4 rounds they are back in place.
  std::uint64_t encrypt(std::uint64_t x) const {
    unsigned lbits = high_bits_, rbits = low_bits_;
    auto left = static_cast<std::uint32_t>(x >> rbits);
    auto right = static_cast<std::uint32_t>(x & mask(rbits));
    for (const std::uint32_t key : keys_) {
      const std::uint32_t next_right =
          (left ^ round_function(right, key)) & static_cast<std::uint32_t>(mask(lbits));
      left = right;
      right = next_right;
      std::swap(lbits, rbits);
    }
    return std::uint64_t{left} << rbits | right;
  }

  std::uint64_t decrypt(std::uint64_t x) const {
    // After 4 rounds the widths are as at the start: left has high_bits_.
    unsigned lbits = high_bits_, rbits = low_bits_;
    auto left = static_cast<std::uint32_t>(x >> rbits);
    auto right = static_cast<std::uint32_t>(x & mask(rbits));
    for (auto k = keys_.size(); k-- > 0;) {
      // Undo (L, R) -> (R, L ^ F(R)): the previous R is the current L (lbits
      // wide), the previous L is R ^ F(previous R) (rbits wide).
      const std::uint32_t previous_left =
          (right ^ round_function(left, keys_[k])) & static_cast<std::uint32_t>(mask(rbits));
      right = left;
      left = previous_left;
      std::swap(lbits, rbits);
    }
    return std::uint64_t{left} << rbits | right;
  }

  static std::uint64_t mask(unsigned bits) { return (std::uint64_t{1} << bits) - 1; }

  std::uint64_t n_ = 0;
  std::array<std::uint32_t, 4> keys_{};
  unsigned high_bits_ = 0, low_bits_ = 0;
};

}  // namespace migrasim
