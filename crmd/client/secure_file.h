// Small file helpers for the state directory. Files holding secrets are written with mode
// 0600 from the moment they exist (created with that mode, never chmod-ed afterwards) and
// replaced atomically (temporary file + fsync + rename), so a crash leaves the old or the new
// content, never a torn file. They are read back only through readSecretFile(), which refuses
// a symbolic link and a file that group or others may access, so a secret planted or exposed
// by someone else is never used.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/result.h"

namespace pulse::crmd {

// The whole content of `path`; an Error naming the path when it cannot be read.
Result<std::string> readFile(const std::string& path);

// The same for a file holding secrets (a key, password hash, tokens): refused, with an Error
// naming the file and saying why, when `path` is a symbolic link (it is opened with
// O_NOFOLLOW), not a regular file, owned by another user than this process's (or root), or
// has any permission bit for group or others.
Result<std::string> readSecretFile(const std::string& path);

// Replaces `path` with `content`, the new file having exactly `mode` (pulse::writeFileAtomically:
// temporary file, fsync, rename, directory fsync).
Status writeFileAtomic(const std::string& path, const std::string& content, mode_t mode);

// Creates `path` (one level, mode 0700) when missing. An existing directory must be owned by
// this process's user (or root); if group or others have any access to it, it is restricted
// to 0700 and `note` (when given) says so, for the log. Fails, naming the directory, when it
// is not a writable directory afterwards. The parent must exist. `what` names the directory
// in messages ("state directory").
Status ensureDirectory(const std::string& path, std::string* note = nullptr,
                       const std::string& what = "state directory");

// True when `path` exists; a symbolic link counts as existing even when it dangles, so that
// a secret file replaced by a link is reported by readSecretFile() rather than ignored.
bool fileExists(const std::string& path);

}  // namespace pulse::crmd
