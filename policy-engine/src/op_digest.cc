#include "policy-engine/op_digest.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace pulse::pe {
namespace {

constexpr std::string_view kMetaPrefix = "CRM_meta_";
constexpr std::string_view kMetaTimeout = "CRM_meta_timeout";
constexpr std::string_view kMetaInterval = "CRM_meta_interval";
// The controller puts these into the action's parameters, but they say nothing about the
// resource definition (pcmk__filter_op_for_digest).
constexpr std::array<std::string_view, 6> kDroppedNames = {
    "id", "crm_feature_set", "op-digest", "on_node", "on_node_uuid", "pcmk_external_ip"};
// Pacemaker's own fencing parameters (pcmk_stonith_param()), which old controllers left out of
// the secure digest because agents do not declare them.
constexpr std::array<std::string_view, 9> kFenceParams = {
    "provides",        "stonith-timeout", "pcmk_action_limit",
    "pcmk_delay_base", "pcmk_delay_max",  "pcmk_host_argument",
    "pcmk_host_check", "pcmk_host_list",  "pcmk_host_map"};
constexpr std::string_view kCurrentFeatureSet = "3.16.1";

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool isFenceParam(std::string_view name) {
  for (std::string_view p : kFenceParams) {
    if (name == p) return true;
  }
  if (!startsWith(name, "pcmk_")) return false;
  // pcmk_<action>_{action,timeout,retries}: the suffix starts at the next '_' after "pcmk_".
  const std::size_t pos = name.find('_', 5);
  if (pos == std::string_view::npos) return false;
  const std::string_view suffix = name.substr(pos);
  return suffix == "_action" || suffix == "_timeout" || suffix == "_retries";
}

// Pacemaker matches names against its space-separated lists by substring search for " name ".
bool inList(std::string_view list, const std::string& name) {
  return list.find(" " + name + " ") != std::string_view::npos;
}

// Attribute insertion in Pacemaker's hash2field() style: an existing attribute is kept.
void addIfAbsent(ParamMap& attrs, const std::string& name, const std::string& value) {
  attrs.emplace(name, value);
}

// Meta-attribute name as crm_meta_name() builds it (so it can be a shell variable).
std::string metaName(const std::string& key) {
  std::string name = std::string(kMetaPrefix) + key;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

// Interval as crm_element_value_ms() reads it: a plain non-negative integer, else 0.
std::int64_t parseMs(const ParamMap& attrs, std::string_view name) {
  const auto it = attrs.find(std::string(name));
  if (it == attrs.end()) return 0;
  const char* text = it->second.c_str();
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text, &end, 10);
  if (end == text || errno != 0 || value < 0 || value > UINT_MAX) return 0;
  return value;
}

// pcmk__filter_op_for_digest(): drop meta and bookkeeping attributes, but keep the timeout of
// recurring actions.
void filterForDigest(ParamMap& attrs) {
  std::optional<std::string> timeout;
  if (parseMs(attrs, kMetaInterval) != 0) {
    if (auto it = attrs.find(std::string(kMetaTimeout)); it != attrs.end()) timeout = it->second;
  }
  std::erase_if(attrs, [](const auto& kv) {
    if (startsWith(kv.first, kMetaPrefix)) return true;
    for (std::string_view dropped : kDroppedNames) {
      if (kv.first == dropped) return true;
    }
    return false;
  });
  if (timeout) attrs[std::string(kMetaTimeout)] = *timeout;
}

// crm_xml_escape(), including its quirk of giving up at the first multi-byte UTF-8 sequence
// (everything after it is copied verbatim). Octal escapes use a signed char as on x86.
void appendEscaped(std::string& out, std::string_view value) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto byte = static_cast<unsigned char>(value[i]);
    const auto next = (i + 1 < value.size()) ? static_cast<unsigned char>(value[i + 1]) : 0;
    if ((byte & 0x80) && (next & 0x80)) {
      out.append(value.substr(i));
      return;
    }
    switch (byte) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\t':
        out += "    ";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (byte < ' ' || byte > '~') {
          char octal[16];
          const int as_int = static_cast<signed char>(byte);
          std::snprintf(octal, sizeof(octal), "\\%.3o", static_cast<unsigned>(as_int));
          out += octal;
        } else {
          out.push_back(static_cast<char>(byte));
        }
    }
  }
}

std::string digestOf(const ParamMap& attrs) { return md5Hex(digestText(attrs)); }

// crm_get_msec(): leading number (fraction ignored) with an optional unit, seconds by default.
long long parseMsec(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\r\f";
  const std::size_t start = text.find_first_not_of(kSpace);
  if (start == std::string_view::npos) return -1;
  const std::string number_and_units(text.substr(start));
  const std::size_t num_len = number_and_units.find_first_not_of("0123456789.");
  if (num_len == 0) return -1;
  std::string_view units =
      std::string_view(number_and_units)
          .substr(num_len == std::string::npos ? number_and_units.size() : num_len);
  units.remove_prefix(std::min(units.size(), units.find_first_not_of(kSpace)));
  auto unit_is = [&units](std::string_view u) {
    if (units.size() < u.size()) return false;
    for (std::size_t i = 0; i < u.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(units[i])) != u[i]) return false;
    }
    return true;
  };
  long long multiplier = 1000;
  long long divisor = 1;
  if (unit_is("ms")) {
    multiplier = 1;
  } else if (unit_is("us")) {
    multiplier = 1;
    divisor = 1000;
  } else if (unit_is("s")) {
    multiplier = 1000;
  } else if (unit_is("m")) {
    multiplier = 60 * 1000;
  } else if (unit_is("h")) {
    multiplier = 60 * 60 * 1000;
  } else if (!units.empty() && units[0] != '\n' && units[0] != '\r') {
    return -1;
  }
  char* end = nullptr;
  errno = 0;
  long long msec = std::strtoll(number_and_units.c_str(), &end, 10);
  if (end == number_and_units.c_str() || (errno != 0 && errno != ERANGE)) msec = -1;
  if (msec > LLONG_MAX / multiplier) return LLONG_MAX;
  return msec * multiplier / divisor;
}

}  // namespace

std::string digestText(const ParamMap& attrs) {
  std::string text = " <parameters";
  for (const auto& [name, value] : attrs) {
    text += ' ';
    text += name;
    text += "=\"";
    appendEscaped(text, value);
    text += '"';
  }
  text += "/>\n";
  return text;
}

std::string normalizedTimeoutMs(std::optional<std::string_view> configured) {
  long long msec = configured ? parseMsec(*configured) : -1;
  // unpack_timeout() stores the result in an int before checking it.
  const auto as_int =
      static_cast<int>(static_cast<unsigned>(static_cast<unsigned long long>(msec)));
  return std::to_string(as_int < 0 ? 20000 : as_int);
}

int compareVersion(std::string_view a, std::string_view b) {
  auto next = [](std::string_view& v) {
    long value = std::strtol(std::string(v).c_str(), nullptr, 10);
    const std::size_t dot = v.find('.');
    v = (dot == std::string_view::npos) ? std::string_view() : v.substr(dot + 1);
    return value;
  };
  while (!a.empty() || !b.empty()) {
    const long x = a.empty() ? 0 : next(a);
    const long y = b.empty() ? 0 : next(b);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

OpDigests computeOpDigests(const OpDigestInput& input, std::optional<std::string_view> restart_list,
                           std::optional<std::string_view> secure_list) {
  const std::string_view version =
      input.feature_set.empty() ? kCurrentFeatureSet : std::string_view(input.feature_set);
  const bool old_version = compareVersion(version, "3.16.0") < 0;

  ParamMap meta = input.op_meta;
  meta.erase("interval");
  if (input.interval_ms > 0) meta["interval"] = std::to_string(input.interval_ms);
  if (!meta.contains("timeout")) meta["timeout"] = normalizedTimeoutMs(std::nullopt);

  ParamMap all;
  for (const auto& [name, value] : input.params) addIfAbsent(all, name, value);
  for (const auto& [name, value] : input.op_params) addIfAbsent(all, name, value);
  for (const auto& [name, value] : meta) {
    // hash2metafield() skips cluster-generated names such as fail-count-*#...
    if (name.find_first_of("#:") != std::string::npos) continue;
    addIfAbsent(all, metaName(name), value);
  }
  filterForDigest(all);

  OpDigests digests;
  digests.all = digestOf(all);

  ParamMap restart = all;
  if (restart_list) {
    std::erase_if(restart, [&](const auto& kv) { return !inList(*restart_list, kv.first); });
  }
  digests.restart = digestOf(restart);

  // Old controllers hashed only the resource parameters; newer ones start from everything. The
  // second filter pass also drops CRM_meta_timeout, as CRM_meta_interval is gone by then.
  ParamMap secure = old_version ? input.params : all;
  if (secure_list) {
    std::erase_if(secure, [&](const auto& kv) { return inList(*secure_list, kv.first); });
  }
  if (old_version && input.fence_device) {
    std::erase_if(secure, [](const auto& kv) { return isFenceParam(kv.first); });
  }
  filterForDigest(secure);
  if (old_version) secure.erase(std::string(kMetaTimeout));
  digests.secure = digestOf(secure);
  return digests;
}

}  // namespace pulse::pe
