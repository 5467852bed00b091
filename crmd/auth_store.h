// The node's authentication state in the state directory:
//   hacluster.passwd  the hacluster password as a PBKDF2 hash (mode 0600), set by `crmd passwd`
//   tokens            SHA-256 of every token issued by HostAuth, one per line (mode 0600)
// Only hashes are stored, so reading these files gives neither the password nor a usable token.
//
// Thread-safety: AuthStore is safe to use from several gRPC threads; a mutex guards the token
// set and the token file, so the file always holds exactly the tokens accepted in memory.
#pragma once

#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "common/result.h"
#include "crmd/crypto.h"

namespace pulse::crmd {

// Stores the hash of `password` in `state_dir`/hacluster.passwd (replacing any earlier one).
Status setHaclusterPassword(const std::string& state_dir, const std::string& password);

class AuthStore {
 public:
  // Reads the password hash (absent is fine: HostAuth then refuses) and the token list. A
  // corrupt file is an Error naming it.
  static Result<AuthStore> open(const std::string& state_dir);

  AuthStore(AuthStore&& other) noexcept;

  bool hasPassword() const { return password_.has_value(); }

  // True when `username` is hacluster and `password` matches the stored hash.
  bool checkPassword(const std::string& username, const std::string& password) const;

  // A fresh 32-byte random token (hex); its hash is persisted before it is returned, so a
  // token a client holds survives restarts.
  Result<std::string> issueToken();

  bool isValidToken(const std::string& token) const;

  // Forgets `token` (persisted before returning); revoking an unknown token is not an error.
  Status revokeToken(const std::string& token);

 private:
  AuthStore(std::string tokens_path, std::optional<PasswordHash> password,
            std::set<std::string> token_hashes);
  // Writes `next` to the token file, then makes it the accepted set. Needs mutex_ held.
  Status storeLocked(std::set<std::string> next);

  const std::string tokens_path_;
  const std::optional<PasswordHash> password_;
  mutable std::mutex mutex_;
  std::set<std::string> token_hashes_;  // guarded by mutex_; equals the file's lines
};

}  // namespace pulse::crmd
