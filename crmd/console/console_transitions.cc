#include "crmd/console/console_transitions.h"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "policy-engine/policy_engine.h"

namespace pulse::crmd::console {
namespace {

using Json = nlohmann::json;
constexpr std::size_t kMaxInflated = 64 << 20;  // a CIB larger than this is not replayed

// The text of a gzip file; "" when it cannot be read.
std::string inflateFile(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) return "";
  std::string out;
  char chunk[65536];
  int n = 0;
  while ((n = gzread(file, chunk, sizeof chunk)) > 0 && out.size() < kMaxInflated) {
    out.append(chunk, static_cast<std::size_t>(n));
  }
  gzclose(file);
  return n < 0 ? "" : out;
}

// N of "pe-input-N.xml.gz"; -1 for any other name.
long inputNumber(const std::string& name) {
  constexpr std::string_view kPrefix = "pe-input-", kSuffix = ".xml.gz";
  if (!name.starts_with(kPrefix) || !name.ends_with(kSuffix)) return -1;
  const std::string digits =
      name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  if (digits.empty() || digits.size() > 9 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return -1;
  }
  return std::stol(digits);
}

}  // namespace

std::string TransitionReplay::replay(const std::string& path) {
  Json out = {{"input", std::filesystem::path(path).filename().string()}};
  std::error_code ec;
  const auto written = std::filesystem::last_write_time(path, ec);
  if (!ec) {
    out["at_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::file_clock::to_sys(written).time_since_epoch())
                       .count();
  }
  const std::string cib = inflateFile(path);
  auto transition =
      cib.empty() ? Result<pe::Transition>(Error{"cannot read " + path}) : pe::schedule(cib);
  if (!transition) {
    out["error"] = transition.error().message;
    return out.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  Json summary = Json::array(), actions = Json::array(), orderings = Json::array();
  for (const pe::SummaryItem& s : transition->summary) {
    summary.push_back(s.verb + " " + s.resource +
                      (s.details.empty() ? "" : " (" + s.details + ")") +
                      (s.reason.empty() ? "" : " " + s.reason));
  }
  for (const pe::Action& a : transition->actions) {
    actions.push_back({{"id", a.id},
                       {"key", a.key},
                       {"task", a.task},
                       {"resource", a.resource},
                       {"node", a.node},
                       {"pseudo", a.pseudo}});
  }
  for (const pe::Ordering& o : transition->orderings) orderings.push_back({o.first, o.then});
  out["summary"] = std::move(summary);
  out["actions"] = std::move(actions);
  out["orderings"] = std::move(orderings);
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string TransitionReplay::json(std::size_t count) {
  std::vector<std::pair<long, std::string>> inputs;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (const long n = inputNumber(name); n >= 0) inputs.emplace_back(n, name);
  }
  std::sort(inputs.begin(), inputs.end(), std::greater<>());
  if (inputs.size() > count) inputs.resize(count);
  std::string out = "{\"transitions\":[";
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string& name = inputs[i].second;
    auto it = cache_.find(name);
    if (it == cache_.end()) {
      if (cache_.size() >= kCached) cache_.erase(cache_.begin());
      it = cache_.emplace(name, replay(dir_ + "/" + name)).first;
    }
    out += (i ? "," : "") + it->second;
  }
  return out + "]}";
}

}  // namespace pulse::crmd::console
