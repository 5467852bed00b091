// The one atomic file replacement shared by every part that keeps state on disk (crmd's
// state directory, the membership state and key files, the CIB store).
//
// Invariant: after a crash at any instant, `path` holds either its old content or the new one,
// never a mix, and once the call succeeds the new content survives a power loss.
//
// Thread-safety: a free function with no shared state; two concurrent writers of the same path
// race on `path`.tmp and one of them fails, so callers serialize writes of one file.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "common/file_io.h"
#include "common/result.h"

namespace pulse {

// Replaces `path` with `contents`: write `path`.tmp (created with exactly `mode`, umask
// notwithstanding, never following a symlink), fsync it, rename it over `path`, fsync the
// directory. A stale `path`.tmp from an earlier crash is removed first. On failure the
// temporary file is removed, `path` is untouched (unless the directory fsync failed: then the
// rename happened but may not be durable) and the Error names the path and the errno text.
Status writeFileAtomically(const std::string& path, std::string_view contents, mode_t mode);
// The same through `io` (file_io.h), so that a test can fail any one step.
Status writeFileAtomically(FileIo& io, const std::string& path, std::string_view contents,
                           mode_t mode);

// The directory part of `path` ("." when there is none), for fsync-ing the directory entry.
std::string directoryOf(const std::string& path);

}  // namespace pulse
