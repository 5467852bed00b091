// Console logins for the system's users, as pcsd allows them through PAM: a member of the
// group haclient logs in with that user's own password, checked against /etc/shadow with
// crypt(3) (libcrypt). Its session then acts for that user: the CIB's ACLs decide what it sees
// and changes (crmd/cib/cib_acl.h). hacluster keeps its own password (crmd passwd, AuthStore).
//
// Thread-safe: the reentrant getspnam_r/getgrnam_r/getpwnam_r and crypt_rn with a buffer per
// call. Comparisons of the hash take the same time whatever the password.
#pragma once

#include <string>

namespace pulse::crmd::console {

inline constexpr char kConsoleGroup[] = "haclient";

// True when `user` is a member of `group`: listed in it, or the group is its primary group.
bool systemGroupMember(const std::string& user, const std::string& group);

// True when `password` is `user`'s system password (its /etc/shadow hash); false for a user
// without a usable hash (locked "!...", "*", empty), or when /etc/shadow cannot be read.
bool systemPasswordMatches(const std::string& user, const std::string& password);

// A console login by a system user: not hacluster (which has its own password), a member of
// haclient, the right password.
bool systemLogin(const std::string& user, const std::string& password);

}  // namespace pulse::crmd::console
