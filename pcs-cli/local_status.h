// This node's status read from its crmd's status socket (crmd/admin/status_socket.h) in one
// call: no gRPC channel, no token. pcs status and the read-only views use it first and fall
// back to the admin API when it gives nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "admin.pb.h"

namespace pulse::pcs {

// The reply of the crmd that runs with `state_dir`; nullopt when nothing answers there within
// `timeout` (crmd down, a crmd without the socket, not root) or the answer is cut short.
std::optional<admin::LocalStatusReply> readLocalStatus(const std::string& state_dir,
                                                       std::chrono::milliseconds timeout);

}  // namespace pulse::pcs
