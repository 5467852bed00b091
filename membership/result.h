// The membership library's error values are Pulse's common ones.
#pragma once

#include "common/result.h"

namespace pulse::membership {

using pulse::Error;
using pulse::Result;
using pulse::Status;

}  // namespace pulse::membership
