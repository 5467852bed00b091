#include "crmd/console/system_login.h"

#include <crypt.h>
#include <grp.h>
#include <pwd.h>
#include <shadow.h>

#include <memory>
#include <vector>

#include "crmd/client/crypto.h"

namespace pulse::crmd::console {

bool systemGroupMember(const std::string& user, const std::string& group) {
  std::vector<char> buffer(16384);
  struct group entry {};
  struct group* found = nullptr;
  if (getgrnam_r(group.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
    return false;
  }
  for (char** member = found->gr_mem; member != nullptr && *member != nullptr; ++member) {
    if (user == *member) return true;
  }
  std::vector<char> pw_buffer(16384);
  struct passwd pw {};
  struct passwd* account = nullptr;
  return getpwnam_r(user.c_str(), &pw, pw_buffer.data(), pw_buffer.size(), &account) == 0 &&
         account != nullptr && account->pw_gid == found->gr_gid;
}

bool systemPasswordMatches(const std::string& user, const std::string& password) {
  std::vector<char> buffer(16384);
  struct spwd entry {};
  struct spwd* found = nullptr;
  if (getspnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found ||
      found->sp_pwdp == nullptr) {
    return false;
  }
  const std::string hash = found->sp_pwdp;
  // "!..." and "*" are locked accounts, "" one without a password: none logs in here.
  if (hash.empty() || hash[0] == '!' || hash[0] == '*') return false;
  auto data = std::make_unique<crypt_data>();
  const char* computed = crypt_rn(password.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  return computed != nullptr && constantTimeEquals(computed, hash);
}

bool systemLogin(const std::string& user, const std::string& password) {
  if (user.empty() || user == "hacluster") return false;
  if (!systemGroupMember(user, kConsoleGroup)) return false;
  return systemPasswordMatches(user, password);
}

}  // namespace pulse::crmd::console
