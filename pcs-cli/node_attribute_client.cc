#include "pcs-cli/node_attribute_client.h"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <thread>

#include "crmd/client/known_hosts.h"
#include "crmd/client/local_admin.h"
#include "crmd/client/secure_file.h"
#include "pcs-cli/node_client.h"

namespace pulse::pcs {
namespace {

using Clock = std::chrono::steady_clock;

// A session with a crmd of `hosts` (entry `node`, or the only one); `origin` names the file.
Result<NodeSession> connectWith(const std::vector<crmd::KnownHost>& hosts,
                                const std::string& origin, const std::string& node,
                                std::chrono::seconds timeout) {
  for (const crmd::KnownHost& host : hosts) {
    if (!node.empty() && host.node != node) continue;
    auto address = parseNodeAddress(host.address);
    if (!address) return Error{origin + ": " + address.error().message};
    auto session = NodeSession::connect(host.node, *address, host.token, host.fingerprint, timeout);
    if (!session) {
      return Error{"Unable to connect to " + host.node + " (" + host.address +
                   "): " + session.error().message};
    }
    return session;
  }
  if (node.empty()) return Error{origin + " is empty"};
  return Error{"no entry for node " + node + " in " + origin};
}

Result<NodeSession> connectLocal(const std::string& state_dir, std::chrono::seconds timeout) {
  const std::string path = crmd::localAdminPath(state_dir);
  std::error_code ec;
  auto hosts = std::filesystem::exists(path, ec)
                   ? crmd::loadKnownHosts(path)
                   : Result<std::vector<crmd::KnownHost>>(Error{path + " does not exist"});
  auto session =
      hosts ? connectWith(*hosts, path, "", timeout) : Result<NodeSession>(hosts.error());
  if (!session) {
    return Error{"Unable to reach the local crmd: " + session.error().message +
                 " (is crmd running on this node? PULSE_STATE_DIR must name its state "
                 "directory)"};
  }
  return session;
}

// Failures worth another read-edit-write while time is left.
bool transient(const std::string& failure) {
  return failure == "stale_base" || failure == "not_applied" || failure == "busy";
}

struct DcCopy {
  std::optional<NodeSession> session;
  admin::CibGetReply reply;
};

// The DC's copy with a session to the DC; `retry` says the error may pass (election, sync).
Result<DcCopy> readDc(const std::string& state_dir, std::chrono::seconds timeout, bool& retry) {
  retry = false;
  auto local = connectLocal(state_dir, timeout);
  if (!local) return local.error();
  auto here = local->cibGet();
  if (!here) return Error{"Unable to get the CIB from the local node: " + here.error().message};
  if (here->dc() == 0) {
    retry = true;
    return Error{"no DC in this partition (no quorum, or an election is in progress)"};
  }
  DcCopy copy;
  if (here->is_dc()) {
    copy.session.emplace(std::move(*local));
    copy.reply = std::move(*here);
  } else {
    // pcs's known hosts, then the cluster's (crmd/client/known_hosts.h).
    auto hosts = crmd::allHosts(state_dir);
    auto dc = hosts
                  ? connectWith(*hosts, crmd::clusterHostsPath(state_dir), here->dc_name(), timeout)
                  : Result<NodeSession>(hosts.error());
    if (!dc) return Error{"Unable to reach the DC " + here->dc_name() + ": " + dc.error().message};
    auto reply = dc->cibGet();
    if (!reply) {
      return Error{"Unable to get the CIB from the DC " + here->dc_name() + ": " +
                   reply.error().message};
    }
    copy.session.emplace(std::move(*dc));
    copy.reply = std::move(*reply);
  }
  if (!copy.reply.is_dc() || !copy.reply.ready()) {
    retry = true;
    return Error{"the DC is still synchronising the CIB"};
  }
  return copy;
}

}  // namespace

std::string toolStateDir() {
  const char* env = std::getenv("PULSE_STATE_DIR");
  return env != nullptr && *env != '\0' ? env : "/var/lib/pulse";
}

Result<std::string> LocalNode::name() const {
  const std::string path = state_dir_ + "/node-name";
  auto text = crmd::readFile(path);
  if (!text) {
    return Error{"Unable to find the local node's name: " + text.error().message +
                 " (is crmd running on this node? PULSE_STATE_DIR must name its state "
                 "directory)"};
  }
  std::string name = text->substr(0, text->find('\n'));
  if (name.empty()) return Error{path + " is empty"};
  return name;
}

Result<admin::ClusterStatusReply> LocalNode::status() const {
  auto local = connectLocal(state_dir_, timeout_);
  if (!local) return local.error();
  auto status = local->clusterStatus();
  if (!status) return Error{"Unable to get the local node's status: " + status.error().message};
  return status;
}

Result<std::string> LocalNode::cib() const {
  auto local = connectLocal(state_dir_, timeout_);
  if (!local) return local.error();
  auto reply = local->cibGet();
  if (!reply) return Error{"Unable to get the CIB from the local node: " + reply.error().message};
  return reply->xml();
}

Status LocalNode::update(const std::function<Result<bool>(pugi::xml_node cib)>& edit,
                         bool status_only) {
  const auto deadline = Clock::now() + timeout_;
  for (;;) {
    bool retry = false;
    auto copy = readDc(state_dir_, timeout_, retry);
    if (!copy) {
      if (!retry || Clock::now() >= deadline) return copy.error();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    pugi::xml_document doc;
    if (!doc.load_string(copy->reply.xml().c_str())) {
      return Error{"the DC's CIB is not readable XML"};
    }
    auto changed = edit(doc.child("cib"));
    if (!changed) return changed.error();
    if (!*changed) return {};
    std::ostringstream xml;
    doc.save(xml, "  ", pugi::format_indent | pugi::format_no_declaration);
    admin::CibSubmitRequest request;
    request.set_status_only(status_only);
    *request.mutable_base() = copy->reply.stamp();
    request.set_xml(xml.str());
    auto reply = copy->session->cibSubmit(request);
    if (!reply) return Error{"Unable to write the CIB: " + reply.error().message};
    if (reply->ok()) return {};
    if (!transient(reply->failure()) || Clock::now() >= deadline) {
      return Error{"Unable to write the CIB: " + reply->message()};
    }
  }
}

}  // namespace pulse::pcs
