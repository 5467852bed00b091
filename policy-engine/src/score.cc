#include "policy-engine/score.h"

#include <charconv>

namespace pulse::pe {

Score addScores(Score a, Score b) {
  if (a <= -kInfinity || b <= -kInfinity) return -kInfinity;
  if (a >= kInfinity || b >= kInfinity) return kInfinity;
  long long sum = static_cast<long long>(a) + b;
  if (sum >= kInfinity) return kInfinity;
  if (sum <= -kInfinity) return -kInfinity;
  return static_cast<Score>(sum);
}

std::optional<Score> parseScore(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text == "INFINITY" || text == "+INFINITY" || text == "infinity" || text == "+infinity") {
    return kInfinity;
  }
  if (text == "-INFINITY" || text == "-infinity") return -kInfinity;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != text.data() + text.size()) {
    if (ec == std::errc::result_out_of_range) return text.front() == '-' ? -kInfinity : kInfinity;
    return std::nullopt;
  }
  if (value >= kInfinity) return kInfinity;
  if (value <= -kInfinity) return -kInfinity;
  return static_cast<Score>(value);
}

std::string scoreText(Score score) {
  if (score >= kInfinity) return "INFINITY";
  if (score <= -kInfinity) return "-INFINITY";
  return std::to_string(score);
}

}  // namespace pulse::pe
