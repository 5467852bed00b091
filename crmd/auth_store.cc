#include "crmd/auth_store.h"

#include <sstream>

#include "crmd/secure_file.h"

namespace pulse::crmd {
namespace {

constexpr char kPasswordFile[] = "/hacluster.passwd";
constexpr char kTokensFile[] = "/tokens";

bool isHex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

Status setHaclusterPassword(const std::string& state_dir, const std::string& password) {
  if (password.empty()) return Error{"the password must not be empty"};
  auto hash = hashPassword(password);
  if (!hash) return hash.error();
  return writeFileAtomic(state_dir + kPasswordFile, formatPasswordHash(*hash), 0600);
}

Result<AuthStore> AuthStore::open(const std::string& state_dir) {
  std::optional<PasswordHash> password;
  const std::string password_path = state_dir + kPasswordFile;
  if (fileExists(password_path)) {
    auto text = readSecretFile(password_path);
    if (!text) return text.error();
    auto parsed = parsePasswordHash(*text);
    if (!parsed) return Error{password_path + ": " + parsed.error().message};
    password = *parsed;
  }
  std::set<std::string> hashes;
  const std::string tokens_path = state_dir + kTokensFile;
  if (fileExists(tokens_path)) {
    auto text = readSecretFile(tokens_path);
    if (!text) return text.error();
    std::istringstream lines(*text);
    std::string line;
    for (int number = 1; std::getline(lines, line); ++number) {
      if (line.empty()) continue;
      if (!isHex64(line)) {
        return Error{tokens_path + ":" + std::to_string(number) + ": not a SHA-256 hex digest"};
      }
      hashes.insert(line);
    }
  }
  return AuthStore(tokens_path, std::move(password), std::move(hashes));
}

AuthStore::AuthStore(std::string tokens_path, std::optional<PasswordHash> password,
                     std::set<std::string> token_hashes)
    : tokens_path_(std::move(tokens_path)),
      password_(std::move(password)),
      token_hashes_(std::move(token_hashes)) {}

AuthStore::AuthStore(AuthStore&& other) noexcept
    : tokens_path_(other.tokens_path_),
      password_(other.password_),
      token_hashes_(std::move(other.token_hashes_)) {}

bool AuthStore::checkPassword(const std::string& username, const std::string& password) const {
  if (!password_) return false;
  // Hash even for a wrong user name, so the answer takes the same time either way.
  const bool password_ok = verifyPassword(*password_, password);
  return password_ok && username == "hacluster";
}

Status AuthStore::storeLocked(std::set<std::string> next) {
  std::string content;
  for (const std::string& hash : next) content += hash + "\n";
  if (Status s = writeFileAtomic(tokens_path_, content, 0600); !s) return s;
  token_hashes_ = std::move(next);
  return {};
}

Result<std::string> AuthStore::issueToken() {
  auto bytes = randomBytes(32);
  if (!bytes) return bytes.error();
  std::string token = toHex(*bytes);
  std::lock_guard lock(mutex_);
  std::set<std::string> next = token_hashes_;
  next.insert(sha256Hex(token));
  if (Status s = storeLocked(std::move(next)); !s) return s.error();
  return token;
}

Status AuthStore::revokeToken(const std::string& token) {
  std::lock_guard lock(mutex_);
  std::set<std::string> next = token_hashes_;
  if (next.erase(sha256Hex(token)) == 0) return {};
  return storeLocked(std::move(next));
}

bool AuthStore::isValidToken(const std::string& token) const {
  // Looking up the hash leaks nothing useful through timing: an attacker who learns where
  // SHA-256(guess) sorts learns nothing about a token's preimage.
  const std::string hash = sha256Hex(token);
  std::lock_guard lock(mutex_);
  return token_hashes_.contains(hash);
}

}  // namespace pulse::crmd
