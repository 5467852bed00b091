// crm_mon's default mode, for crm_mon without -1 and `pcs status --watch`: the status is drawn,
// then drawn again whenever what it shows changes (the CIB, the DC, quorum, the membership:
// StatusInput::fingerprint), until Ctrl-C (SIGINT) or SIGTERM, which exit 0.
//
// Changes are learnt by polling, as `pcs cluster events --follow` learns of events: one read of
// this node's status socket per second (crmd answers it from memory, without a connection or a
// token), or of the CIB file every half second. A status is drawn only when its input changed,
// so an idle cluster costs one small read a second and no engine run.
//
// On a terminal each status replaces the previous one (the screen is cleared); otherwise (a
// pipe, a file, a test) each new status is printed after a blank line, so a reader sees every
// state the cluster went through. A read that fails is reported once on stderr (and again when
// its reason changes) and retried: a watch outlives a crmd restart.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/result.h"
#include "pcs-cli/status_source.h"

namespace pulse::pcs {

inline constexpr std::chrono::milliseconds kLivePoll{1000};
inline constexpr std::chrono::milliseconds kFilePoll{500};

using ReadStatus = std::function<Result<StatusInput>()>;
using RenderStatus = std::function<Result<std::string>(const StatusInput&)>;

// Runs until SIGINT or SIGTERM; returns the exit code (0). `poll`: how often `read` is called.
int watchStatus(const ReadStatus& read, const RenderStatus& render, std::chrono::milliseconds poll);

}  // namespace pulse::pcs
