// The policy engine's error values are Pulse's common ones.
#pragma once

#include "common/result.h"

namespace pulse::pe {

using pulse::Error;
using pulse::Result;

}  // namespace pulse::pe
