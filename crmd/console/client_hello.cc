#include "crmd/console/client_hello.h"

#include <optional>
#include <string_view>

namespace pulse::crmd {
namespace {

constexpr std::uint8_t kHandshakeRecord = 22;
constexpr std::uint8_t kClientHello = 1;
constexpr std::uint16_t kAlpnExtension = 16;

// A bounds-checked reader over one span: every read past the end yields nullopt.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  std::optional<std::uint32_t> number(std::size_t width) {
    if (bytes_.size() - at_ < width) return std::nullopt;
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < width; ++i) value = value << 8 | bytes_[at_++];
    return value;
  }
  std::optional<std::span<const std::uint8_t>> take(std::size_t n) {
    if (bytes_.size() - at_ < n) return std::nullopt;
    auto out = bytes_.subspan(at_, n);
    at_ += n;
    return out;
  }
  // A block whose length is in the next `width` bytes.
  std::optional<std::span<const std::uint8_t>> block(std::size_t width) {
    auto n = number(width);
    if (!n) return std::nullopt;
    return take(*n);
  }
  bool done() const { return at_ == bytes_.size(); }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
};

// True when the ALPN extension's body lists "http/1.1".
bool offersHttp11(std::span<const std::uint8_t> body) {
  Reader alpn(body);
  auto list = alpn.block(2);
  if (!list) return false;
  Reader names(*list);
  while (!names.done()) {
    auto name = names.block(1);
    if (!name) return false;
    const std::string_view text(reinterpret_cast<const char*>(name->data()), name->size());
    if (text == "http/1.1") return true;
  }
  return false;
}

}  // namespace

HelloRoute routeByAlpn(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return HelloRoute::kNeedMore;
  if (bytes[0] != kHandshakeRecord) return HelloRoute::kNotTls;
  if (bytes.size() < 5) return HelloRoute::kNeedMore;
  const std::size_t record_length = static_cast<std::size_t>(bytes[3]) << 8 | bytes[4];
  if (bytes.size() < 5 + record_length) return HelloRoute::kNeedMore;
  // Only the first record is read: a ClientHello split over records (never seen from gRPC or
  // a browser) goes to gRPC, which is what every connection did before the console.
  Reader record(bytes.subspan(5, record_length));
  auto type = record.number(1);
  auto length = record.number(3);
  if (!type || *type != kClientHello || !length) return HelloRoute::kGrpc;
  auto hello_body = record.take(*length);
  if (!hello_body) return HelloRoute::kGrpc;
  Reader hello(*hello_body);
  // legacy_version, random, session id, cipher suites, compression methods.
  if (!hello.take(2 + 32) || !hello.block(1) || !hello.block(2) || !hello.block(1)) {
    return HelloRoute::kGrpc;
  }
  if (hello.done()) return HelloRoute::kGrpc;  // no extensions at all
  auto extensions_block = hello.block(2);
  if (!extensions_block) return HelloRoute::kGrpc;
  Reader extensions(*extensions_block);
  while (!extensions.done()) {
    auto kind = extensions.number(2);
    auto body = extensions.block(2);
    if (!kind || !body) return HelloRoute::kGrpc;
    if (*kind == kAlpnExtension)
      return offersHttp11(*body) ? HelloRoute::kBrowser : HelloRoute::kGrpc;
  }
  return HelloRoute::kGrpc;
}

}  // namespace pulse::crmd
