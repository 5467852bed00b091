// The console's insides (console.h), shared by console_server.cc (TLS, connections) and
// console_routes.cc (what each path answers). Private to pulse_console.
#pragma once

#include <openssl/ssl.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/log.h"
#include "crmd/admin/auth_limiter.h"
#include "crmd/admin/auth_store.h"
#include "crmd/console/console.h"
#include "crmd/console/console_snapshot.h"
#include "crmd/console/console_transitions.h"
#include "crmd/console/http_request.h"
#include "crmd/console/session_store.h"

namespace pulse::crmd::console {

struct Connection {
  SSL* ssl = nullptr;
  std::string peer;  // gRPC's form, "ipv4:192.0.2.11:40512"
};

struct Console::Impl {
  Impl(ConsoleOptions options_in, AuthStore auth_in)
      : options(std::move(options_in)),
        auth(std::move(auth_in)),
        pcs(options.pcs_path, options.ocf_root) {}
  ~Impl();

  void serve(int fd, std::string peer);
  bool readRequest(Connection& c, std::string& buffer, HttpRequest& request);
  bool send(Connection& c, const std::string& bytes);
  bool isStopping() const;

  // console_routes.cc
  HttpResponse route(Connection& c, const HttpRequest& request);
  void stream(Connection& c, const HttpRequest& request);
  std::optional<SessionInfo> session(const HttpRequest& request);
  HttpResponse login(Connection& c, const HttpRequest& request);
  HttpResponse action(const SessionInfo& who, Connection& c, const HttpRequest& request);
  HttpResponse agents() const;
  // The snapshot document as `user` may see it: for a user the CIB's ACLs restrict, the CIB
  // filtered and pcs status run as that user; anyone else gets `doc_json` unchanged.
  std::string userView(const std::string& doc_json, const std::string& user) const;
  // The DC's last transitions as `user` may see them: without the resources its ACLs hide.
  std::string userTransitions(const std::string& user);
  HttpResponse agent(const HttpRequest& request) const;

  const ConsoleOptions options;
  AuthStore auth;
  AuthLimiter limiter;  // the console's logins: the same rules as HostAuth's (auth_limiter.h)
  SessionStore sessions;
  const PcsRunner pcs;
  TransitionReplay transitions{options.state_dir + "/pengine"};
  SSL_CTX* ctx = nullptr;
  std::unique_ptr<SnapshotPublisher> snapshots;
  LogThrottle refusal_log{10, std::chrono::seconds(1)};
  std::mutex action_mutex;  // one change at a time: pcs edits are read-modify-write

  mutable std::mutex mutex;
  std::condition_variable all_closed;
  bool stopping = false;                          // guarded by mutex
  std::map<int, std::string> open;                // fd -> source; guarded by mutex
  std::map<std::string, std::size_t> per_source;  // guarded by mutex
};

}  // namespace pulse::crmd::console
