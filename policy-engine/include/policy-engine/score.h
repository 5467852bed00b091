// Pacemaker scores: integers saturating at +/-INFINITY (1,000,000), where
// -INFINITY wins over +INFINITY ("can never" beats "must").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pulse::pe {

using Score = int;
inline constexpr Score kInfinity = 1000000;

// a + b with Pacemaker's saturation rules.
Score addScores(Score a, Score b);

// "INFINITY", "+INFINITY", "-INFINITY" or an integer; nullopt when it is neither.
std::optional<Score> parseScore(std::string_view text);

// The score as crm_simulate prints it: "INFINITY", "-INFINITY" or a number.
std::string scoreText(Score score);

}  // namespace pulse::pe
