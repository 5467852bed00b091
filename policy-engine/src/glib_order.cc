// GLib's orders; see glib_order.h. Checked against libglib 2.74 (Debian
// bookworm, whose Pacemaker 2.1.5 is the reference) with Pacemaker's string
// hash: same iteration order for tables of up to 34 keys, across resizes.
#include "glib_order.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace pulse::pe {
namespace {

// GLib's prime moduli by table shift (g_hash_table_set_shift).
constexpr std::uint32_t kPrimeMod[] = {1,       2,       3,       7,       13,     31,     61,
                                       127,     251,     509,     1021,    2039,   4093,   8191,
                                       16381,   32749,   65521,   131071,  262139, 524287, 1048573,
                                       2097143, 4194301, 8388593, 16777213};
constexpr int kMinShift = 3;

// Pacemaker's pcmk__str_hash (its tables do not use g_str_hash): h * 31 + c
// over signed chars, from 0.
std::uint32_t strHash(const std::string& key) {
  std::uint32_t h = 0;
  for (char c : key) h = (h << 5) - h + static_cast<std::uint32_t>(static_cast<signed char>(c));
  return h < 2 ? 2 : h;  // GLib: 0 and 1 mark unused and removed buckets
}

// Open addressing with quadratic probing, resized in place as GLib does.
class HashTable {
 public:
  HashTable() { setShift(kMinShift); }

  void insert(int item, std::uint32_t hash) {
    std::uint32_t index = toIndex(hash);
    for (std::uint32_t step = 0; hashes_[index] != 0;) {
      ++step;
      index = (index + step) & mask_;
    }
    hashes_[index] = hash;
    items_[index] = item;
    ++nnodes_;
    ++noccupied_;
    if ((size_ > nnodes_ * 4 && size_ > (1u << kMinShift)) ||
        size_ <= noccupied_ + noccupied_ / 16) {
      resize();
    }
  }

  std::vector<int> iterationOrder() const {
    std::vector<int> out;
    for (std::size_t i = 0; i < hashes_.size(); ++i) {
      if (hashes_[i] >= 2) out.push_back(items_[i]);
    }
    return out;
  }

 private:
  void setShift(int shift) {
    size_ = 1u << shift;
    mod_ = kPrimeMod[shift];
    mask_ = size_ - 1;
  }

  std::uint32_t toIndex(std::uint32_t hash) const { return (hash * 11u) % mod_; }

  void resize() {
    const std::uint32_t old_size = size_;
    int n = static_cast<int>(static_cast<float>(nnodes_) * 1.333f);
    int shift = 0;
    for (; n != 0; n >>= 1) ++shift;
    setShift(shift < kMinShift ? kMinShift : shift);
    if (size_ > old_size) {
      hashes_.resize(size_, 0);
      items_.resize(size_, -1);
    }
    std::vector<bool> placed(std::max(size_, old_size), false);
    for (std::uint32_t i = 0; i < old_size; ++i) {
      std::uint32_t hash = hashes_[i];
      if (hash < 2) {
        hashes_[i] = 0;
        continue;
      }
      if (placed[i]) continue;  // already moved here by an eviction
      hashes_[i] = 0;
      int item = items_[i];
      for (;;) {
        std::uint32_t index = toIndex(hash);
        for (std::uint32_t step = 0; placed[index];) {
          ++step;
          index = (index + step) & mask_;
        }
        placed[index] = true;
        const std::uint32_t evicted = hashes_[index];
        hashes_[index] = hash;
        if (evicted < 2) {
          items_[index] = item;
          break;
        }
        hash = evicted;
        std::swap(item, items_[index]);
      }
    }
    if (size_ < old_size) {
      hashes_.resize(size_);
      items_.resize(size_);
    }
    noccupied_ = nnodes_;
  }

  std::uint32_t size_ = 0, mod_ = 0, mask_ = 0, nnodes_ = 0, noccupied_ = 0;
  std::vector<std::uint32_t> hashes_ = std::vector<std::uint32_t>(1u << kMinShift, 0);
  std::vector<int> items_ = std::vector<int>(1u << kMinShift, -1);
};

}  // namespace

int numericStrcasecmp(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      std::size_t ei = i, ej = j;
      while (ei < a.size() && digit(a[ei])) ++ei;
      while (ej < b.size() && digit(b[ej])) ++ej;
      // Numerically: skip leading zeros, then the longer run is larger.
      std::size_t si = i, sj = j;
      while (si + 1 < ei && a[si] == '0') ++si;
      while (sj + 1 < ej && b[sj] == '0') ++sj;
      if (ei - si != ej - sj) return ei - si < ej - sj ? -1 : 1;
      if (int c = a.substr(si, ei - si).compare(b.substr(sj, ej - sj)); c != 0)
        return c < 0 ? -1 : 1;
      if (ei - i != ej - j) return ei - i < ej - j ? -1 : 1;  // "007" after "7"
      i = ei;
      j = ej;
    } else {
      int x = std::tolower(static_cast<unsigned char>(a[i]));
      int y = std::tolower(static_cast<unsigned char>(b[j]));
      if (x != y) return x < y ? -1 : 1;
      ++i;
      ++j;
    }
  }
  if (i == a.size() && j < b.size()) return -1;
  if (i < a.size() && j == b.size()) return 1;
  return 0;
}

std::vector<int> hashIterationOrder(const std::vector<std::string>& keys) {
  HashTable table;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    table.insert(static_cast<int>(i), strHash(keys[i]));
  }
  return table.iterationOrder();
}

}  // namespace pulse::pe
