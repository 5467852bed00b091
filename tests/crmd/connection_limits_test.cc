// The admin port's admission rules (connection_limits.h): counting by source and pool, the fit
// to the descriptor limit, and the TLS handshake watch on record headers.
#include "crmd/admin/connection_limits.h"

#include <gtest/gtest.h>

#include <vector>

namespace pulse::crmd {
namespace {

ConnectionLimits smallLimits() {
  ConnectionLimits limits;
  limits.per_source = 2;
  limits.total = 3;
  limits.per_member = 2;
  limits.members_total = 4;
  return limits;
}

TEST(ConnectionCounter, OneSourceIsCappedAndGetsItsPlaceBackOnRelease) {
  ConnectionCounter counter(smallLimits());
  EXPECT_EQ(counter.admit("198.51.100.7", false), Admission::kAccepted);
  EXPECT_EQ(counter.admit("198.51.100.7", false), Admission::kAccepted);
  EXPECT_EQ(counter.admit("198.51.100.7", false), Admission::kSourceFull);
  EXPECT_EQ(counter.openFrom("198.51.100.7"), 2u);
  counter.release("198.51.100.7", false);
  EXPECT_EQ(counter.admit("198.51.100.7", false), Admission::kAccepted);
}

TEST(ConnectionCounter, StrangersFillingTheirPoolLeaveTheMembersPoolAlone) {
  ConnectionCounter counter(smallLimits());
  EXPECT_EQ(counter.admit("198.51.100.1", false), Admission::kAccepted);
  EXPECT_EQ(counter.admit("198.51.100.2", false), Admission::kAccepted);
  EXPECT_EQ(counter.admit("198.51.100.3", false), Admission::kAccepted);
  EXPECT_EQ(counter.admit("198.51.100.4", false), Admission::kPoolFull);
  EXPECT_EQ(counter.open(false), 3u);
  // The members' reserve is untouched, and counted apart.
  EXPECT_EQ(counter.admit("192.0.2.11", true), Admission::kAccepted);
  EXPECT_EQ(counter.admit("192.0.2.11", true), Admission::kAccepted);
  EXPECT_EQ(counter.admit("192.0.2.11", true), Admission::kSourceFull);
  EXPECT_EQ(counter.admit("192.0.2.12", true), Admission::kAccepted);
  EXPECT_EQ(counter.admit("192.0.2.13", true), Admission::kAccepted);
  EXPECT_EQ(counter.admit("192.0.2.14", true), Admission::kPoolFull);
  EXPECT_EQ(counter.open(true), 4u);
  EXPECT_EQ(counter.open(false), 3u);
}

TEST(FitToDescriptors, LimitsThatFitAreKept) {
  const ConnectionLimits limits;  // defaults: (512 + 256) x 3 + 256 = 2,560 descriptors
  const ConnectionLimits fitted = fitToDescriptors(limits, 65536);
  EXPECT_EQ(fitted.total, limits.total);
  EXPECT_EQ(fitted.members_total, limits.members_total);
  EXPECT_EQ(fitted.per_source, limits.per_source);
}

TEST(FitToDescriptors, ALowDescriptorLimitScalesBothPoolsDown) {
  const ConnectionLimits fitted = fitToDescriptors(ConnectionLimits{}, 1024);
  const std::size_t used =
      (fitted.total + fitted.members_total) * kDescriptorsPerConnection + kDescriptorReserve;
  EXPECT_LE(used, 1024u);
  EXPECT_GT(fitted.members_total, 0u);
  EXPECT_GT(fitted.total, fitted.members_total);  // the proportion is kept
  EXPECT_LE(fitted.per_source, fitted.total);
  EXPECT_LE(fitted.per_member, fitted.members_total);
  // Even with nothing to spare, one connection of each kind stays possible.
  const ConnectionLimits tiny = fitToDescriptors(ConnectionLimits{}, 10);
  EXPECT_EQ(tiny.total, 1u);
  EXPECT_EQ(tiny.members_total, 1u);
}

std::vector<std::uint8_t> record(std::uint8_t type, std::size_t length, std::uint8_t minor = 3) {
  std::vector<std::uint8_t> out{type, 3, minor, static_cast<std::uint8_t>(length >> 8),
                                static_cast<std::uint8_t>(length & 0xff)};
  out.resize(out.size() + length, 0xab);
  return out;
}

std::vector<std::uint8_t> operator+(std::vector<std::uint8_t> a,
                                    const std::vector<std::uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

using State = TlsHandshakeWatch::State;

TEST(TlsHandshakeWatch, ATls13HandshakeEndsAtTheClientsFirstApplicationRecord) {
  // ClientHello (record version 3.1), then, after the server's flight, ChangeCipherSpec and
  // the encrypted Finished (an application-data record in TLS 1.3).
  const auto bytes = record(22, 512, 1) + record(20, 1) + record(23, 53);
  TlsHandshakeWatch watch;
  EXPECT_EQ(watch.feed({bytes.data(), 517}), State::kHandshake);
  EXPECT_EQ(watch.feed({bytes.data() + 517, 6}), State::kHandshake);
  EXPECT_EQ(watch.feed({bytes.data() + 523, bytes.size() - 523}), State::kEstablished);
}

TEST(TlsHandshakeWatch, AClientHelloSentByteByByteIsStillAHandshake) {
  const auto bytes = record(22, 300, 1);
  TlsHandshakeWatch watch;
  for (std::uint8_t b : bytes) EXPECT_EQ(watch.feed({&b, 1}), State::kHandshake);
}

TEST(TlsHandshakeWatch, ATls12HandshakeEndsAtTheFirstApplicationData) {
  // ClientHello; ClientKeyExchange, ChangeCipherSpec, Finished (a handshake record); data.
  const auto bytes =
      record(22, 200) + record(22, 70) + record(20, 1) + record(22, 40) + record(23, 100);
  TlsHandshakeWatch watch;
  EXPECT_EQ(watch.feed(bytes), State::kEstablished);
}

TEST(TlsHandshakeWatch, BytesThatAreNotTlsAreRefusedAtOnce) {
  const std::string http = "GET / HTTP/1.1\r\n";
  TlsHandshakeWatch watch;
  EXPECT_EQ(watch.feed({reinterpret_cast<const std::uint8_t*>(http.data()), http.size()}),
            State::kNotTls);
  // Application data before any ClientHello, a bad version, an oversized record.
  EXPECT_EQ(TlsHandshakeWatch().feed(record(23, 10)), State::kNotTls);
  EXPECT_EQ(TlsHandshakeWatch().feed(record(22, 10, 9)), State::kNotTls);
  const std::vector<std::uint8_t> huge{22, 3, 3, 0xff, 0xff};
  EXPECT_EQ(TlsHandshakeWatch().feed(huge), State::kNotTls);
}

}  // namespace
}  // namespace pulse::crmd
