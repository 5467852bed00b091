#include "crmd/http/route_check.h"

#include <algorithm>
#include <cstdio>

namespace pulse::crmd::http {

namespace {

// The kinds of check a path asks for.
enum class Check { Leader, Replica, ReadOnly, Health };

const char* checkName(Check c) {
  switch (c) {
    case Check::Leader:
      return "leader";
    case Check::Replica:
      return "replica";
    case Check::ReadOnly:
      return "read-only";
    case Check::Health:
      return "health";
  }
  return "?";
}

std::optional<Check> checkOf(std::string_view word) {
  if (word == "leader" || word == "primary" || word == "master" || word == "read-write") {
    return Check::Leader;
  }
  if (word == "replica") return Check::Replica;
  if (word == "read-only") return Check::ReadOnly;
  if (word == "health") return Check::Health;
  return std::nullopt;
}

// A JSON string literal; names come from an operator's configuration, so quotes, backslashes
// and control characters are escaped.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

Reply json(int status, const RouteFacts& f, std::string_view resource, std::string_view role,
           Check check, std::string_view reason) {
  std::string body = "{\"node\":" + quoted(f.node);
  if (!resource.empty()) body += ",\"resource\":" + quoted(resource);
  if (!role.empty()) body += ",\"role\":" + quoted(role);
  body += std::string(",\"quorate\":") + (f.running && f.member && f.quorate ? "true" : "false");
  body += ",\"check\":" + quoted(checkName(check));
  body += std::string(",\"verdict\":") + (status == 200 ? "\"route here\"" : "\"do not route\"");
  body += ",\"reason\":" + quoted(reason) + "}\n";
  return Reply{status, "application/json", std::move(body)};
}

Reply notFound(std::string body) {
  return Reply{404, "text/plain; charset=utf-8", std::move(body)};
}

bool rank(Placement a, Placement b) { return static_cast<int>(a) < static_cast<int>(b); }

Placement placementOf(const pe::ResourceView& r, std::string_view node) {
  if (r.is_clone) {
    Placement best = Placement::Stopped;
    for (const pe::ResourceView& m : r.members) best = std::max(best, placementOf(m, node), rank);
    return best;
  }
  if (r.is_group) {
    // A group serves only where all its members run.
    if (r.members.empty()) return Placement::Stopped;
    Placement worst = Placement::Promoted, best = Placement::Stopped;
    for (const pe::ResourceView& m : r.members) {
      const Placement p = placementOf(m, node);
      worst = std::min(worst, p, rank);
      best = std::max(best, p, rank);
    }
    return rank(worst, Placement::Started) ? worst : best;
  }
  if (std::find(r.nodes.begin(), r.nodes.end(), node) == r.nodes.end()) return Placement::Stopped;
  if (r.failed) return Placement::Failed;
  if (r.pending == "Stopping") return Placement::Stopping;
  if (r.pending == "Starting") return Placement::Starting;
  if (r.role == pe::Role::Promoted) return Placement::Promoted;
  if (r.role == pe::Role::Unpromoted) return Placement::Unpromoted;
  return Placement::Started;
}

const pe::ResourceView* findResource(const std::vector<pe::ResourceView>& list,
                                     std::string_view name, bool in_promotable, bool& promotable) {
  for (const pe::ResourceView& r : list) {
    const bool here = in_promotable || r.promotable;
    if (r.id == name || (r.is_clone && r.cloned == name)) {
      promotable = here;
      return &r;
    }
    // Clone instances ("d:0") are not looked up by name; a group's members are.
    if (r.is_group) {
      if (const pe::ResourceView* m = findResource(r.members, name, here, promotable)) return m;
    }
  }
  return nullptr;
}

}  // namespace

const char* placementName(Placement p) {
  switch (p) {
    case Placement::Stopped:
      return "stopped";
    case Placement::Failed:
      return "failed";
    case Placement::Stopping:
      return "stopping";
    case Placement::Starting:
      return "starting";
    case Placement::Started:
      return "started";
    case Placement::Unpromoted:
      return "unpromoted";
    case Placement::Promoted:
      return "promoted";
  }
  return "?";
}

std::optional<ResourcePlacement> placeResource(const pe::ClusterView& view, std::string_view name,
                                               std::string_view node) {
  bool promotable = false;
  const pe::ResourceView* r = findResource(view.resources, name, false, promotable);
  if (r == nullptr) return std::nullopt;
  return ResourcePlacement{placementOf(*r, node), promotable};
}

bool plausibleResourceName(std::string_view name) {
  if (name.empty() || name.size() > 200) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == ':' || c == '-';
  });
}

Reply routeReply(const RouteFacts& facts, std::string_view path, std::string_view resource) {
  // The path: a bare check, or /resource/NAME[/CHECK].
  std::optional<Check> check;
  if (path == "/") {
    check = Check::Leader;
  } else if (path.starts_with("/resource/")) {
    std::string_view rest = path.substr(std::string_view("/resource/").size());
    const std::size_t slash = rest.find('/');
    resource = rest.substr(0, slash);
    check = slash == std::string_view::npos ? std::optional(Check::Leader)
                                            : checkOf(rest.substr(slash + 1));
    if (!check || *check == Check::Health || !plausibleResourceName(resource)) {
      return notFound(
          "route checks: /resource/NAME, /resource/NAME/primary, /resource/NAME/replica, "
          "/resource/NAME/read-only\n");
    }
  } else if (path.starts_with("/")) {
    check = checkOf(path.substr(1));
  }
  if (!check) {
    return notFound(
        "route checks: / /leader /primary /replica /read-only /health "
        "/resource/NAME[/primary|/replica|/read-only]\n");
  }
  if (*check != Check::Health && resource.empty()) {
    return notFound(
        "no resource to check: start crmd with --check-resource NAME, or ask "
        "/resource/NAME\n");
  }

  // Health first: a node outside a quorate partition routes nothing, whatever its CIB says.
  std::string unhealthy;
  if (!facts.running) {
    unhealthy = "the cluster is not running on this node";
  } else if (!facts.member || !facts.quorate) {
    unhealthy = "this node is not in a quorate partition";
  } else if (!facts.status) {
    unhealthy = "this node has no CIB yet";
  } else if (!facts.cib_current) {
    unhealthy = "this node's CIB is not yet the cluster's (the DC has not synced it)";
  }
  if (*check == Check::Health) {
    return json(unhealthy.empty() ? 200 : 503, facts, "", "", *check,
                unhealthy.empty() ? "member of a quorate partition" : unhealthy);
  }
  if (!unhealthy.empty()) return json(503, facts, resource, "", *check, unhealthy);

  const auto placed = placeResource(*facts.status, resource, facts.node);
  if (!placed) {
    return notFound("no resource '" + std::string(resource) + "' in the configuration\n");
  }
  const Placement p = placed->placement;
  const bool leader = placed->promotable ? p == Placement::Promoted : !rank(p, Placement::Started);
  bool replica = false;
  if (placed->promotable) {
    replica = p == Placement::Unpromoted;
  } else if (p == Placement::Stopped) {
    // A node ready to take the resource over: online and not in standby in the CIB's view.
    for (const pe::NodeView& n : facts.status->nodes) {
      if (n.name == facts.node) replica = n.online && !n.standby && !n.maintenance;
    }
  }
  bool yes = false;
  std::string reason;
  switch (*check) {
    case Check::Leader:
      yes = leader;
      reason = yes ? (placed->promotable ? "promoted here" : "active here")
                   : (placed->promotable ? "not promoted here" : "not active here");
      break;
    case Check::Replica:
      yes = replica;
      reason = yes ? (placed->promotable ? "runs here unpromoted" : "a member ready to take over")
                   : (placed->promotable ? "no unpromoted instance here"
                                         : "holds it or cannot take it over");
      break;
    case Check::ReadOnly:
      yes = leader || replica;
      reason = leader ? "active here" : replica ? "a replica here" : "neither leader nor replica";
      break;
    case Check::Health:
      break;
  }
  return json(yes ? 200 : 503, facts, resource, placementName(p), *check, reason);
}

}  // namespace pulse::crmd::http
