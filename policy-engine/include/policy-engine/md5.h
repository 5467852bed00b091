// MD5 (RFC 1321), used only to reproduce Pacemaker's operation digests. It is not a
// security primitive here: Pacemaker uses it to notice configuration changes, and we must
// produce the same hex strings it stores in the CIB status.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace pulse::pe {

// Incremental MD5 so callers can feed data in pieces; finish() may be called once.
class Md5 {
 public:
  Md5();
  void update(std::string_view data);
  std::array<std::uint8_t, 16> finish();

 private:
  void processBlock(const std::uint8_t* block);

  std::array<std::uint32_t, 4> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

// Lower-case hex MD5 of `data`, the form Pacemaker writes into op-digest attributes.
std::string md5Hex(std::string_view data);

}  // namespace pulse::pe
