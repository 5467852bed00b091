#include "crmd/client/local_admin.h"

namespace pulse::crmd {

std::string localAdminPath(const std::string& state_dir) { return state_dir + "/local-admin"; }

std::string adminSocketPath(const std::string& state_dir) { return state_dir + "/admin.sock"; }

std::string localSocketPath(const std::string& state_dir) { return state_dir + "/local.sock"; }

std::string localStatusPath(const std::string& state_dir) { return state_dir + "/status.sock"; }

}  // namespace pulse::crmd
