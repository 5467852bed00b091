// libFuzzer target: arbitrary bytes as a received membership packet.
//
// PacketCodec::open() and decode() promise that any byte string is either accepted or dropped
// with a counted reason, never a crash, an out-of-bounds read or undefined behaviour; this
// target checks that under ASan and UBSan. Random bytes almost never carry a valid HMAC, so
// the input is also sealed with the key (as a member would send it) to drive the decoder
// behind the tag check, and the outcomes are cross-checked. Build with `./dev build --fuzz`,
// run build-fuzz/bin/membership_packet_fuzz [CORPUS_DIR] (./dev fuzz runs cib_reader_fuzz only).
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

#include "membership/message.h"
#include "membership/packet_auth.h"

namespace {

using pulse::membership::PacketCodec;

PacketCodec& codec() {
  static PacketCodec instance = [] {
    auto c = PacketCodec::create(pulse::membership::ClusterKey(32, 0x5a), "fuzz");
    if (!c.ok()) __builtin_trap();
    return std::move(c).value();
  }();
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pulse::membership;
  const std::span<const std::uint8_t> input(data, size);
  PacketCodec& c = codec();

  // 1. As a raw datagram: it must be dropped or accepted, and counted either way.
  const auto before = c.counters().accepted + c.counters().droppedTotal();
  auto raw = c.open(input);
  static_cast<void>(raw);
  if (c.counters().accepted + c.counters().droppedTotal() != before + 1) __builtin_trap();

  // 2. As the payload of an authentic frame: accepted exactly when it decodes, and then the
  // decoded message survives an encode/decode round trip.
  if (size <= kMaxMessageSize) {
    const Bytes payload(data, data + size);
    auto decoded = decode(payload);
    auto opened = c.open(c.seal(payload));
    const auto* frame = std::get_if<OpenedFrame>(&opened);
    if ((frame != nullptr) != decoded.ok()) __builtin_trap();
    if (frame != nullptr) {
      if (!(frame->message == decoded.value())) __builtin_trap();
      auto again = decode(encode(frame->message));
      if (!again.ok() || !(again.value() == frame->message)) __builtin_trap();
    }
  }
  return 0;
}
