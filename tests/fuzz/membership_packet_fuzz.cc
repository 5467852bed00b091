// libFuzzer target: arbitrary bytes as a received membership packet.
//
// PacketCodec::open() and decode() promise that any byte string is either accepted or dropped
// with a counted reason, never a crash, an out-of-bounds read or undefined behaviour; this
// target checks that under ASan and UBSan. Random bytes almost never carry a valid HMAC, so
// the input is also sealed with the key (as a member would send it), at a frame sequence
// taken from the input, to drive the decoder and the sequence fields behind the tag check;
// the outcomes are cross-checked, and every accepted frame goes through a ReplayWindow, which
// must accept a sequence at most once. Build with `./dev build --fuzz`, run
// `./dev fuzz packet SECONDS` (dictionary: tests/fuzz/packet.dict).
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

#include "membership/message.h"
#include "membership/packet_auth.h"
#include "membership/replay_window.h"

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

// The sequence a member would have put on this input: its first 16 bytes (little-endian
// incarnation and counter), zero-padded, so the fuzzer steers it like any other field.
pulse::membership::FrameSequence sequenceOf(std::span<const std::uint8_t> input) {
  std::uint64_t words[2] = {0, 0};
  for (std::size_t i = 0; i < input.size() && i < 16; ++i) {
    words[i / 8] |= static_cast<std::uint64_t>(input[i]) << (8 * (i % 8));
  }
  return {words[0], words[1]};
}

// Every accepted frame is offered to one window that lives across inputs, as a receiver's does.
void checkReplayWindow(const pulse::membership::OpenedFrame& frame) {
  static pulse::membership::ReplayWindow window;
  const auto sender = frame.message.sender;
  const auto before = window.newest(sender);
  const bool fresh = window.accept(sender, frame.sequence);
  if (fresh != (!before || frame.sequence > *before)) __builtin_trap();
  if (window.newest(sender) != (fresh ? frame.sequence : *before)) __builtin_trap();
  // The same frame again is always a replay.
  if (window.accept(sender, frame.sequence)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pulse::membership;
  const std::span<const std::uint8_t> input(data, size);
  PacketCodec& c = codec();

  // 1. As a raw datagram: it must be dropped or accepted, and counted either way.
  const auto before = c.counters().accepted + c.counters().droppedTotal();
  auto raw = c.open(input);
  if (c.counters().accepted + c.counters().droppedTotal() != before + 1) __builtin_trap();
  if (const auto* frame = std::get_if<OpenedFrame>(&raw)) checkReplayWindow(*frame);

  // 2. As the payload of an authentic frame: accepted exactly when it decodes, with the
  // sequence it was sealed at; then the decoded message survives an encode/decode round trip.
  if (size <= kMaxMessageSize) {
    const Bytes payload(data, data + size);
    const FrameSequence sequence = sequenceOf(input);
    auto decoded = decode(payload);
    const Bytes sealed = c.seal(payload, sequence);
    if (sealed.size() != kFrameHeaderSize + size + kTagSize) __builtin_trap();
    auto opened = c.open(sealed);
    const auto* frame = std::get_if<OpenedFrame>(&opened);
    if ((frame != nullptr) != decoded.ok()) __builtin_trap();
    if (frame != nullptr) {
      if (!(frame->message == decoded.value()) || frame->sequence != sequence) __builtin_trap();
      auto again = decode(encode(frame->message));
      if (!again.ok() || !(again.value() == frame->message)) __builtin_trap();
      checkReplayWindow(*frame);
    }
  }
  return 0;
}
