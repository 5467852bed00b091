// `<state dir>/status.sock` (localStatusPath): this node's status in one read, for pcs on this
// node. `pcs status` and the read-only views (pcs constraint, property, resource config) are
// answered from the node's own copy (pcs-cli/local_status.h); over gRPC that took a channel
// (its threads), a token and two calls, about as long as the engine run itself. Here a client
// connects and reads; it sends nothing.
//
// The answer, then the server closes the connection: a 4-byte little-endian length N, then N
// bytes of admin.LocalStatusReply (proto/admin.proto): ClusterStatus's and CibGet's replies as
// the admin API fills them (status_reply.h), read together.
//
// Trust: the socket is mode 0600 in the 0700 state directory, like local.sock: whoever can
// connect can read the local-admin token and the CIB on disk anyway, so no token is asked. A
// peer whose uid is neither root nor crmd's own gets the connection closed unanswered.
//
// Bounds: one thread, one client at a time; the thread sleeps in poll() between clients (no
// timer: an idle node pays nothing). A client that does not read its answer is dropped after
// kSendLimit, so it holds the next one up at most that long.
//
// Thread-safety: start() and the destructor from one thread; the ClusterControl reads are
// thread-safe (cluster_control.h).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "common/result.h"
#include "crmd/admin/cluster_control.h"

namespace pulse::crmd {

class StatusSocket {
 public:
  static constexpr std::chrono::seconds kSendLimit{2};

  // Listens on `path` (a previous run's socket is replaced). `cluster` must outlive the socket.
  static Result<std::unique_ptr<StatusSocket>> start(const std::string& path, std::string node_name,
                                                     std::string version,
                                                     const ClusterControl& cluster);
  ~StatusSocket();  // stops listening, joins the thread, removes the socket file
  StatusSocket(const StatusSocket&) = delete;
  StatusSocket& operator=(const StatusSocket&) = delete;

 private:
  // The bytes one client reads: the length, then the reply.
  std::string answer() const;
  StatusSocket(std::string path, std::string node_name, std::string version,
               const ClusterControl& cluster, int listen_fd, int stop_fd);
  void run();
  void serve(int fd) const;

  const std::string path_;
  const std::string node_name_;
  const std::string version_;
  const ClusterControl& cluster_;
  const int listen_fd_;
  const int stop_fd_;   // an eventfd: written once by the destructor
  std::thread thread_;  // last: starts once the rest is set
};

}  // namespace pulse::crmd
