// Reading a password without it ever appearing in argv: from standard input when that is not
// a terminal (one line, the newline removed), else from the terminal with echo turned off.
#pragma once

#include <string>

#include "common/result.h"

namespace pulse::crmd {

// `prompt` is written to stderr only when reading from a terminal; with `confirm` the
// terminal user types the password twice and a mismatch is an Error. Empty is an Error.
Result<std::string> readSecret(const std::string& prompt, bool confirm);

}  // namespace pulse::crmd
