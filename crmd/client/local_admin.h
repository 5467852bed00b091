// Where a node's local tools find its crmd: the files crmd writes into its state directory for
// callers on the same node (admin_server.h says what each holds and who may read it).
#pragma once

#include <string>

namespace pulse::crmd {

// `<state_dir>/local-admin`: NODE ADDR:PORT TOKEN FINGERPRINT (known-hosts format, 0600), a
// token crmd makes afresh at every start for root on this node (crm_attribute, crm_node).
std::string localAdminPath(const std::string& state_dir);
// `<state_dir>/admin.sock`: the gRPC server's own socket, behind the front acceptor.
std::string adminSocketPath(const std::string& state_dir);

}  // namespace pulse::crmd
