// The node's authentication state in the state directory:
//   hacluster.passwd  the hacluster password as a PBKDF2 hash (mode 0600), set by `crmd passwd`
//   tokens            one line per token this node issued (mode 0600):
//                       SHA256-HEX ISSUED-UNIX-SECONDS LABEL
//                     LABEL is `host-auth` (a token `pcs host auth` obtained with the password)
//                     or `node:NAME` (a token `pcs cluster setup` had this node issue for the
//                     cluster node NAME, see issueNodeTokens). A line holding only a hash (the
//                     format before labels) is a host-auth token issued at time 0, so
//                     it counts as expired once a token lifetime is set.
// Only hashes are stored, so reading these files gives neither the password nor a usable token.
//
// Both files are re-read whenever they change on disk (inode, size or mtime differ from what
// was read last), so `crmd passwd` and `crmd passwd --revoke-tokens` take effect at the next
// call, without a restart. A file that no longer parses after such a change is treated as
// empty (no password, no tokens): the store fails closed.
//
// Expiry: with a token lifetime, a host-auth token older than the lifetime is refused as
// expired (issue times are whole seconds, so a token lives the lifetime plus under a second). Node
// tokens do not expire: they are the cluster's own credentials, replaced by the next `pcs cluster
// setup` and revoked by `pcs cluster destroy`.
//
// Thread-safety: AuthStore is safe to use from several gRPC threads; a mutex guards the cached
// files and the token file, so the file always holds exactly the tokens accepted in memory.
// The password check (PBKDF2, slow on purpose) runs outside the mutex.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "crmd/client/crypto.h"

namespace pulse::crmd {

inline constexpr char kHostAuthLabel[] = "host-auth";
// The label of the token issued for cluster node `name` ("node:NAME").
std::string nodeTokenLabel(const std::string& name);

// Stores the hash of `password` in `state_dir`/hacluster.passwd (replacing any earlier one).
Status setHaclusterPassword(const std::string& state_dir, const std::string& password);

// Empties `state_dir`/tokens: every token this node issued is refused from the next call on
// (a running crmd re-reads the file). Returns how many there were.
Result<std::size_t> revokeAllTokens(const std::string& state_dir);

struct AuthOptions {
  // Host-auth tokens older than this are refused as expired; zero: tokens do not expire.
  std::chrono::seconds token_lifetime{0};
  // Unix seconds; injected so that tests need not wait for a lifetime to pass.
  std::function<std::int64_t()> now;
};

enum class TokenState { kValid, kUnknown, kExpired };

struct TokenCheck {
  TokenState state = TokenState::kUnknown;
  std::string label;  // the token's label when it is known (valid or expired)
};

class AuthStore {
 public:
  // Reads the password hash (absent is fine: HostAuth then refuses) and the token list. A
  // corrupt file is an Error naming it.
  static Result<AuthStore> open(const std::string& state_dir, AuthOptions options = {});

  AuthStore(AuthStore&& other) noexcept;

  bool hasPassword() const;

  // True when `username` is hacluster and `password` matches the stored hash (as the file is
  // now, see above).
  bool checkPassword(const std::string& username, const std::string& password) const;

  // A fresh 32-byte random host-auth token (hex); its hash is persisted before it is returned,
  // so a token a client holds survives restarts.
  Result<std::string> issueToken();

  // One fresh token per holder (labelled node:HOLDER), in the order of `holders`; every node
  // token issued before is revoked in the same write, so the node tokens are exactly these.
  Result<std::vector<std::string>> issueNodeTokens(const std::vector<std::string>& holders);

  TokenCheck checkToken(const std::string& token) const;
  bool isValidToken(const std::string& token) const {
    return checkToken(token).state == TokenState::kValid;
  }

  // Forgets `token` (persisted before returning); revoking an unknown token is not an error.
  Status revokeToken(const std::string& token);
  // Forgets every host-auth token (pcs host deauth with the password); returns how many.
  Result<std::size_t> revokeHostAuthTokens();
  // Forgets every node token (pcs cluster destroy); returns how many.
  Result<std::size_t> revokeNodeTokens();

 private:
  struct Token {
    std::int64_t issued = 0;
    std::string label;
  };
  using Tokens = std::map<std::string, Token>;  // by SHA-256 hex of the token
  // Identity of a file as last read: a change of any field means it was replaced or edited.
  struct FileStamp {
    bool exists = false;
    ino_t inode = 0;
    off_t size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const FileStamp&) const = default;
  };
  struct Cache {
    FileStamp password_stamp;
    std::optional<PasswordHash> password;
    FileStamp tokens_stamp;
    Tokens tokens;
  };

  AuthStore(std::string state_dir, AuthOptions options, Cache cache);
  static FileStamp stampOf(const std::string& path);
  static Result<std::optional<PasswordHash>> readPassword(const std::string& path);
  static Result<Tokens> readTokens(const std::string& path);
  // Re-reads whichever file changed since it was last read. Needs mutex_ held.
  void refreshLocked() const;
  // Writes `next` to the token file, then makes it the accepted set. Needs mutex_ held.
  Status storeLocked(Tokens next);
  Result<std::size_t> revokeLabelsLocked(const std::function<bool(const std::string&)>& match);
  std::int64_t now() const;

  const std::string password_path_;
  const std::string tokens_path_;
  const AuthOptions options_;
  mutable std::mutex mutex_;
  mutable Cache cache_;  // guarded by mutex_; tokens equal the file's lines
};

}  // namespace pulse::crmd
