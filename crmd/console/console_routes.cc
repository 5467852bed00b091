// What each console path answers (console.h lists them). Invariant: nothing under /api/ but
// the login reads the cluster or changes it without a live session, and nothing changes it
// without the session's CSRF token.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "crmd/admin/cluster_control.h"
#include "crmd/client/crypto.h"
#include "crmd/console/console_actions.h"
#include "crmd/console/console_assets.h"
#include "crmd/console/console_impl.h"
#include "crmd/executor/agent_process.h"
#include "crmd/executor/ocf.h"

namespace pulse::crmd::console {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kCookieAge{std::chrono::hours(12)};
constexpr std::chrono::seconds kKeepAlive{15};
constexpr std::chrono::seconds kActionTimeout{60};
constexpr std::size_t kTransitions = 5;  // the newest, for the graph

HttpResponse json(const Json& body, int status = 200) {
  return {
      status, "application/json", body.dump(-1, ' ', false, Json::error_handler_t::replace), {}};
}

}  // namespace

std::optional<SessionInfo> Console::Impl::session(const HttpRequest& request) {
  return sessions.check(cookieValue(request.header("cookie"), kSessionCookie), Clock::now());
}

HttpResponse Console::Impl::route(Connection& c, const HttpRequest& request) {
  const bool read = request.method == "GET" || request.method == "HEAD";
  if (read && (request.path == "/" || request.path == "/index.html")) {
    return {200, "text/html; charset=utf-8", std::string(kIndexHtml), {}};
  }
  if (read && request.path == "/console.js") {
    return {200, "text/javascript; charset=utf-8", std::string(kConsoleJs), {}};
  }
  if (read && request.path == "/console.css") {
    return {200, "text/css; charset=utf-8", std::string(kConsoleCss), {}};
  }
  if (!request.path.starts_with("/api/")) return errorResponse(404, "no such page");
  if (request.path == "/api/login") {
    if (request.method != "POST") return errorResponse(405, "log in with POST");
    return login(c, request);
  }
  const std::optional<SessionInfo> who = session(request);
  if (!who) return errorResponse(401, "log in first");
  if (request.method == "POST") {
    // SameSite=Strict keeps other sites' forms from carrying the cookie; the token, which
    // only the page has, also stops anything that slips past that.
    if (!constantTimeEquals(request.header("x-csrf-token"), who->csrf)) {
      return errorResponse(403, "missing or wrong X-CSRF-Token");
    }
    if (request.path == "/api/logout") {
      sessions.end(cookieValue(request.header("cookie"), kSessionCookie));
      HttpResponse out = json({{"ok", true}});
      out.headers.emplace_back("Set-Cookie", sessionCookie("", std::chrono::seconds(0)));
      return out;
    }
    if (request.path == "/api/action") return action(*who, c, request);
    return errorResponse(404, "no such call");
  }
  if (request.path == "/api/session") {
    return json({{"user", who->user}, {"csrf", who->csrf}, {"node", options.node_name}});
  }
  if (request.path == "/api/snapshot") {
    const SnapshotPublisher::Document doc = snapshots->latest();
    if (doc.seq == 0) return errorResponse(503, "the first snapshot is not ready yet");
    return {200, "application/json", doc.json, {}};
  }
  if (request.path == "/api/agents") return agents();
  if (request.path == "/api/transitions") {
    return {200, "application/json", transitions.json(kTransitions), {}};
  }
  if (request.path == "/api/agent") return agent(request);
  return errorResponse(404, "no such call");
}

HttpResponse Console::Impl::login(Connection& c, const HttpRequest& request) {
  const Json body = Json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.value("username", Json()).is_string() ||
      !body.value("password", Json()).is_string()) {
    return errorResponse(400, "send {\"username\": ..., \"password\": ...}");
  }
  const std::string user = body["username"].get<std::string>();
  const std::string source = authSource(c.peer);
  const auto admission = limiter.admit(source, Clock::now());
  if (admission.verdict == AuthLimiter::Verdict::kBackoff) {
    HttpResponse out = errorResponse(429, "too many failed logins from " + source + "; retry in " +
                                              waitText(admission.retry_after));
    out.headers.emplace_back("Retry-After",
                             std::to_string((admission.retry_after.count() + 999) / 1000));
    return out;
  }
  if (admission.verdict == AuthLimiter::Verdict::kBusy) {
    return errorResponse(503, "other logins are being checked; retry in a moment");
  }
  const bool ok = auth.checkPassword(user, body["password"].get<std::string>());
  const auto backoff = limiter.finish(source, ok, Clock::now());
  if (!ok) {
    refusal_log.log("console: failed login from " + source +
                    (backoff.count() > 0 ? "; refused for " + waitText(backoff) : std::string()));
    return errorResponse(401, "wrong user name or password");
  }
  auto fresh = sessions.create(user, Clock::now());
  if (!fresh) return errorResponse(500, fresh.error().message);
  logEvent("console: " + user + " logged in from " + source);
  HttpResponse out = json({{"user", user}, {"csrf", fresh->csrf}, {"node", options.node_name}});
  out.headers.emplace_back("Set-Cookie", sessionCookie(fresh->id, kCookieAge));
  return out;
}

HttpResponse Console::Impl::action(const SessionInfo& who, Connection& c,
                                   const HttpRequest& request) {
  auto words = actionCommand(request.body);
  if (!words) return errorResponse(400, words.error().message);
  const std::string line = commandLine(*words);
  PcsRun run;
  {
    std::lock_guard lock(action_mutex);
    run = pcs.run(*words, kActionTimeout);
  }
  logEvent("console: " + who.user + " from " + authSource(c.peer) + " ran `" + line +
           "`: " + (run.ran ? "exit " + std::to_string(run.exit_status) : "not run: " + run.err));
  snapshots->poke();
  Json out = {{"command", line}, {"output", run.out}, {"error", run.err}};
  if (!run.ran) {
    out["error"] = "pcs could not be run (" + pcs.path() + "): " + run.err;
    return json(out, 502);
  }
  out["ok"] = run.exit_status == 0;
  return json(out, run.exit_status == 0 ? 200 : 409);
}

HttpResponse Console::Impl::agents() const {
  // ocf:PROVIDER:TYPE for every executable under OCF_ROOT/resource.d, as `pcs resource agents`.
  Json list = Json::array();
  std::error_code ec;
  const std::filesystem::path root = std::filesystem::path(options.ocf_root) / "resource.d";
  for (const auto& provider : std::filesystem::directory_iterator(root, ec)) {
    std::error_code inner;
    for (const auto& agent : std::filesystem::directory_iterator(provider.path(), inner)) {
      if (list.size() >= 2000) break;
      if (::access(agent.path().c_str(), X_OK) != 0 || !agent.is_regular_file(inner)) continue;
      list.push_back("ocf:" + provider.path().filename().string() + ":" +
                     agent.path().filename().string());
    }
  }
  std::vector<std::string> sorted = list.get<std::vector<std::string>>();
  std::sort(sorted.begin(), sorted.end());
  return json({{"agents", sorted}});
}

HttpResponse Console::Impl::agent(const HttpRequest& request) const {
  auto name = parseAgentName(queryParam(request.query, "name"));
  if (!name) return errorResponse(400, name.error().message);
  auto metadata = fetchAgentMetadata(options.ocf_root, *name);
  if (!metadata) return errorResponse(404, metadata.error().message);
  Json params = Json::array();
  for (const AgentParameter& p : metadata->parameters) {
    if (p.deprecated) continue;
    params.push_back({{"name", p.name},
                      {"required", p.required},
                      {"type", p.type},
                      {"default", p.default_value ? Json(*p.default_value) : Json(nullptr)},
                      {"shortdesc", p.shortdesc}});
  }
  return json(
      {{"agent", name->spec()}, {"shortdesc", metadata->shortdesc}, {"parameters", params}});
}

void Console::Impl::stream(Connection& c, const HttpRequest& request) {
  if (!session(request)) {
    send(c, formatResponse(errorResponse(401, "log in first"), false));
    return;
  }
  if (!send(c,
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
            "X-Content-Type-Options: nosniff\r\nConnection: keep-alive\r\n\r\n")) {
    return;
  }
  std::uint64_t seen = 0;
  auto last_write = Clock::now();
  while (!isStopping()) {
    // A second at most per wait, so a logout or a shutdown ends the stream soon.
    const SnapshotPublisher::Document doc = snapshots->waitNewer(seen, std::chrono::seconds(1));
    if (!session(request)) return;
    std::string out;
    if (doc.seq > seen) {
      seen = doc.seq;
      out = "event: snapshot\ndata: " + doc.json + "\n\n";
    } else if (Clock::now() - last_write >= kKeepAlive) {
      out = ": still here\n\n";  // a comment: finds a vanished client and keeps proxies open
    }
    if (out.empty()) continue;
    if (!send(c, out)) return;
    last_write = Clock::now();
  }
}

}  // namespace pulse::crmd::console
