// What each console path answers (console.h lists them). Invariant: nothing under /api/ but
// the login reads the cluster or changes it without a live session, and nothing changes it
// without the session's CSRF token. A session of a system user (system_login.h) sees and
// changes the cluster as that user: the CIB's ACLs filter its snapshots and its pcs runs act
// for it (CIB_user), so crmd refuses what it may not change; the events and transitions it is
// shown leave out the resources its ACLs hide (acl_view.h).
#include <filesystem>
#include <nlohmann/json.hpp>

#include "crmd/admin/cluster_control.h"
#include "crmd/cib/cib_acl.h"
#include "crmd/client/crypto.h"
#include "crmd/console/acl_view.h"
#include "crmd/console/console_actions.h"
#include "crmd/console/console_assets.h"
#include "crmd/console/console_impl.h"
#include "crmd/console/system_login.h"
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

// The user a session's pcs runs act for: "" for hacluster (crmd's own rights).
std::string actingUser(const SessionInfo& who) { return aclRequired(who.user) ? who.user : ""; }

}  // namespace

std::string Console::Impl::userView(const std::string& doc_json, const std::string& user) const {
  if (!aclRequired(user)) return doc_json;
  Json doc = Json::parse(doc_json, nullptr, false);
  if (doc.is_discarded() || !doc.contains("cib") || !doc["cib"].is_string()) return doc_json;
  const std::string cib = doc["cib"].get<std::string>();
  if (!aclEnabled(cib)) return doc_json;
  auto filtered = aclFilteredRead(cib, AclUser{user, [user](std::string_view g) {
                                                 return systemGroupMember(user, std::string(g));
                                               }});
  // The page says the session's rights are limited; the journal's events that name a
  // resource the user may not read are left out (all of them when nothing is readable).
  doc["acl_limited"] = true;
  const std::vector<std::string> hidden = hiddenResources(cib, filtered ? *filtered : "");
  if (doc.contains("events") && doc["events"].is_array()) {
    Json events = Json::array();
    for (const Json& e : doc["events"]) {
      const bool shown = filtered && e.is_object() &&
                         !namesAny(e.value("text", std::string()), hidden) &&
                         !namesAny(e.value("who", std::string()), hidden);
      if (shown) events.push_back(e);
    }
    doc["events"] = std::move(events);
  }
  if (filtered) {
    doc["cib"] = std::move(*filtered);
  } else {
    doc["cib"] = nullptr;
    doc["cib_error"] = filtered.error().message;
  }
  // The resources and nodes the page lists come from pcs status: run as the user, it shows
  // what the ACLs let the user read.
  const PcsRun status = pcs.run({"status", "--output-format=json"}, kActionTimeout, user);
  Json parsed = status.ran && status.exit_status == 0 ? Json::parse(status.out, nullptr, false)
                                                      : Json(nullptr);
  if (!parsed.is_discarded() && !parsed.is_null()) {
    doc["status"] = std::move(parsed);
  } else {
    doc["status"] = nullptr;
    doc["status_error"] = status.err.empty() ? "pcs status gave no JSON" : status.err;
  }
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string Console::Impl::userTransitions(const std::string& user) {
  std::string all = transitions.json(kTransitions);
  if (!aclRequired(user)) return all;
  const Json doc = Json::parse(snapshots->latest().json, nullptr, false);
  const std::string cib = !doc.is_discarded() && doc.contains("cib") && doc["cib"].is_string()
                              ? doc["cib"].get<std::string>()
                              : std::string();
  if (!cib.empty() && !aclEnabled(cib)) return all;
  if (cib.empty()) return R"({"transitions": []})";  // nothing known to filter by: show nothing
  auto filtered = aclFilteredRead(cib, AclUser{user, [user](std::string_view g) {
                                                 return systemGroupMember(user, std::string(g));
                                               }});
  return withoutHidden(all, hiddenResources(cib, filtered ? *filtered : ""));
}

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
    return {200, "application/json", userView(doc.json, who->user), {}};
  }
  if (request.path == "/api/agents") return agents();
  if (request.path == "/api/transitions") {
    return {200, "application/json", userTransitions(who->user), {}};
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
  const std::string password = body["password"].get<std::string>();
  const bool ok = auth.checkPassword(user, password) || systemLogin(user, password);
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
    run = pcs.run(*words, kActionTimeout, actingUser(who));
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
  const std::optional<SessionInfo> who = session(request);
  if (!who) {
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
      out = "event: snapshot\ndata: " + userView(doc.json, who->user) + "\n\n";
    } else if (Clock::now() - last_write >= kKeepAlive) {
      out = ": still here\n\n";  // a comment: finds a vanished client and keeps proxies open
    }
    if (out.empty()) continue;
    if (!send(c, out)) return;
    last_write = Clock::now();
  }
}

}  // namespace pulse::crmd::console
