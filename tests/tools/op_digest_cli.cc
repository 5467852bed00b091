// Feeds records from check_digests.py through pulse::pe::computeOpDigests, so the corpus check
// exercises the production code rather than a second implementation.
//
// Input, one field per line, values percent-encoded (%XX)
// after a one-character prefix, a record ends with "END":
//   K <key>  T <task>  I <interval_ms>  V <feature_set>  F <0|1 fence device>
//   P <name> <value> (resource param)  E <name> <value> (op param)  M <name> <value> (op meta)
//   U <configured timeout, normalised here>  R <restart list>  S <secure list>  (each only when
//   recorded)
// Output, one line per record: "<key> <all> <restart or -> <secure>".
// Build: g++ -std=c++20 -O2 -Ipolicy-engine/include -I. tests/tools/op_digest_cli.cc
//        policy-engine/src/op_digest.cc policy-engine/src/md5.cc -lcrypto -o op_digest_cli
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "policy-engine/op_digest.h"

namespace {

// Every encoded value carries a one-character prefix so that empty values stay visible.
std::string decode(const std::string& in) {
  std::string out;
  for (std::size_t i = 1; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      out.push_back(static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  pulse::pe::OpDigestInput input;
  std::optional<std::string> restart, secure;
  std::string key, line;
  while (std::getline(std::cin, line)) {
    std::istringstream fields(line);
    std::string tag, a, b;
    fields >> tag >> a >> b;
    if (tag == "END") {
      const auto d = pulse::pe::computeOpDigests(input, restart, secure);
      std::cout << key << ' ' << d.all << ' ' << (d.restart.empty() ? "-" : d.restart) << ' '
                << d.secure << '\n';
      input = {};
      restart.reset();
      secure.reset();
    } else if (tag == "K") {
      key = a;
    } else if (tag == "T") {
      input.task = decode(a);
    } else if (tag == "I") {
      input.interval_ms = std::stoll(a);
    } else if (tag == "V") {
      input.feature_set = decode(a);
    } else if (tag == "F") {
      input.fence_device = (a == "1");
    } else if (tag == "P") {
      input.params[decode(a)] = decode(b);
    } else if (tag == "E") {
      input.op_params[decode(a)] = decode(b);
    } else if (tag == "M") {
      input.op_meta[decode(a)] = decode(b);
    } else if (tag == "U") {
      input.op_meta["timeout"] = pulse::pe::normalizedTimeoutMs(decode(a));
    } else if (tag == "R") {
      restart = decode(a);
    } else if (tag == "S") {
      secure = decode(a);
    }
  }
  return 0;
}
