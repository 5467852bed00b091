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
// `<state_dir>/local.sock`: the same service without TLS, for programs on this node (pcs as
// root). Mode 0600 in the 0700 state directory: whoever can connect to it can also read the
// TLS key and the local-admin token, so TLS on it would protect nothing and only cost each
// local command two handshakes. Calls on it still need a token.
std::string localSocketPath(const std::string& state_dir);
// `<state_dir>/status.sock`: this node's status in one read, no token (mode 0600 like
// local.sock; crmd/admin/status_socket.h).
std::string localStatusPath(const std::string& state_dir);

}  // namespace pulse::crmd
