// A small, portable pseudo-random generator for the CIB generator.
//
// Why not <random>: the standard distributions are implementation-defined, so the same seed
// could give different CIBs with another standard library. This one is xoshiro256** seeded by
// splitmix64, with our own bounded and real-valued draws; a seed gives the same stream
// everywhere. Not thread-safe; one instance per generation.
#ifndef PULSE_TESTS_CIBGEN_RANDOM_H_
#define PULSE_TESTS_CIBGEN_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

namespace pulse::cibgen {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : state_) word = splitMix(seed);
  }

  uint64_t next() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, bound); bound must be > 0. The modulo bias is below 2^-40 for the bounds
  // used here; what matters is that the result is the same on every platform.
  uint64_t below(uint64_t bound) { return next() % bound; }

  // Uniform in [lo, hi], inclusive.
  int range(int lo, int hi) {
    return lo + static_cast<int>(below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  bool chance(double p) { return unit() < p; }

  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

  // Index chosen with the given relative weights (at least one must be positive).
  size_t weighted(std::initializer_list<double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = unit() * total;
    size_t index = 0;
    for (double w : weights) {
      if (x < w) return index;
      x -= w;
      ++index;
    }
    return weights.size() - 1;
  }

  // One of `values`, chosen with the given relative weights (one per value).
  template <typename T, size_t N>
  const T& choose(const T (&values)[N], std::initializer_list<double> weights) {
    const size_t i = weighted(weights);
    return values[i < N ? i : N - 1];
  }

  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitMix(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  uint64_t state_[4];
};

}  // namespace pulse::cibgen

#endif  // PULSE_TESTS_CIBGEN_RANDOM_H_
