// Small file helpers for the state directory. Files holding secrets are written with mode
// 0600 from the moment they exist (created with that mode, never chmod-ed afterwards) and
// replaced atomically (temporary file + fsync + rename), so a crash leaves the old or the new
// content, never a torn file.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/result.h"

namespace pulse::crmd {

// The whole content of `path`; an Error naming the path when it cannot be read.
Result<std::string> readFile(const std::string& path);

// Replaces `path` with `content`, the new file having exactly `mode` (pulse::writeFileAtomically:
// temporary file, fsync, rename, directory fsync).
Status writeFileAtomic(const std::string& path, const std::string& content, mode_t mode);

// Creates `path` (one level, mode 0700) when missing; fails when it is not a writable
// directory afterwards. The parent must exist.
Status ensureDirectory(const std::string& path);

bool fileExists(const std::string& path);

}  // namespace pulse::crmd
