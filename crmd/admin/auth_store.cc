#include "crmd/admin/auth_store.h"

#include <sys/stat.h>

#include <charconv>
#include <sstream>

#include "crmd/client/secure_file.h"

namespace pulse::crmd {
namespace {

constexpr char kPasswordFile[] = "/hacluster.passwd";
constexpr char kTokensFile[] = "/tokens";
constexpr std::string_view kNodePrefix = "node:";

bool isHex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

bool validLabel(const std::string& label) {
  return label == kHostAuthLabel ||
         (label.starts_with(kNodePrefix) && label.size() > kNodePrefix.size() &&
          label.find_first_of(" \t\n") == std::string::npos);
}

}  // namespace

std::string nodeTokenLabel(const std::string& name) { return std::string(kNodePrefix) + name; }

Status setHaclusterPassword(const std::string& state_dir, const std::string& password) {
  if (password.empty()) return Error{"the password must not be empty"};
  auto hash = hashPassword(password);
  if (!hash) return hash.error();
  return writeFileAtomic(state_dir + kPasswordFile, formatPasswordHash(*hash), 0600);
}

Result<std::size_t> revokeAllTokens(const std::string& state_dir) {
  const std::string path = state_dir + kTokensFile;
  std::size_t count = 0;
  if (fileExists(path)) {
    // Counted leniently: a damaged file is emptied all the same.
    auto text = readFile(path);
    if (text) {
      std::istringstream lines(*text);
      for (std::string line; std::getline(lines, line);) count += line.empty() ? 0 : 1;
    }
  }
  if (Status s = writeFileAtomic(path, "", 0600); !s) return s.error();
  return count;
}

AuthStore::FileStamp AuthStore::stampOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return FileStamp{true, st.st_ino, st.st_size,
                   static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

Result<std::optional<PasswordHash>> AuthStore::readPassword(const std::string& path) {
  if (!fileExists(path)) return std::optional<PasswordHash>{};
  auto text = readSecretFile(path);
  if (!text) return text.error();
  auto parsed = parsePasswordHash(*text);
  if (!parsed) return Error{path + ": " + parsed.error().message};
  return std::optional<PasswordHash>(*parsed);
}

Result<AuthStore::Tokens> AuthStore::readTokens(const std::string& path) {
  Tokens tokens;
  if (!fileExists(path)) return tokens;
  auto text = readSecretFile(path);
  if (!text) return text.error();
  std::istringstream lines(*text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string hash, issued_text, label, extra;
    fields >> hash >> issued_text >> label >> extra;
    const std::string where = path + ":" + std::to_string(number);
    if (!isHex64(hash)) return Error{where + ": not a SHA-256 hex digest"};
    Token token{0, kHostAuthLabel};
    if (!issued_text.empty()) {
      const auto [ptr, ec] = std::from_chars(issued_text.data(),
                                             issued_text.data() + issued_text.size(), token.issued);
      if (ec != std::errc() || ptr != issued_text.data() + issued_text.size() ||
          !validLabel(label) || !extra.empty()) {
        return Error{where + ": expected SHA256 ISSUED LABEL"};
      }
      token.label = label;
    }
    tokens[hash] = token;
  }
  return tokens;
}

Result<AuthStore> AuthStore::open(const std::string& state_dir, AuthOptions options) {
  Cache cache;
  const std::string password_path = state_dir + kPasswordFile;
  const std::string tokens_path = state_dir + kTokensFile;
  cache.password_stamp = stampOf(password_path);
  auto password = readPassword(password_path);
  if (!password) return password.error();
  cache.password = *password;
  cache.tokens_stamp = stampOf(tokens_path);
  auto tokens = readTokens(tokens_path);
  if (!tokens) return tokens.error();
  cache.tokens = std::move(*tokens);
  return AuthStore(state_dir, std::move(options), std::move(cache));
}

AuthStore::AuthStore(std::string state_dir, AuthOptions options, Cache cache)
    : password_path_(state_dir + kPasswordFile),
      tokens_path_(state_dir + kTokensFile),
      options_(std::move(options)),
      cache_(std::move(cache)) {}

AuthStore::AuthStore(AuthStore&& other) noexcept
    : password_path_(other.password_path_),
      tokens_path_(other.tokens_path_),
      options_(other.options_),
      cache_(std::move(other.cache_)) {}

std::int64_t AuthStore::now() const {
  if (options_.now) return options_.now();
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void AuthStore::refreshLocked() const {
  if (FileStamp stamp = stampOf(password_path_); !(stamp == cache_.password_stamp)) {
    auto password = readPassword(password_path_);
    cache_.password = password ? *password : std::nullopt;
    cache_.password_stamp = stamp;
  }
  if (FileStamp stamp = stampOf(tokens_path_); !(stamp == cache_.tokens_stamp)) {
    auto tokens = readTokens(tokens_path_);
    cache_.tokens = tokens ? std::move(*tokens) : Tokens{};
    cache_.tokens_stamp = stamp;
  }
}

bool AuthStore::hasPassword() const {
  std::lock_guard lock(mutex_);
  refreshLocked();
  return cache_.password.has_value();
}

bool AuthStore::checkPassword(const std::string& username, const std::string& password) const {
  std::optional<PasswordHash> stored;
  {
    std::lock_guard lock(mutex_);
    refreshLocked();
    stored = cache_.password;
  }
  if (!stored) return false;
  // Hash even for a wrong user name, so the answer takes the same time either way.
  const bool password_ok = verifyPassword(*stored, password);
  return password_ok && username == "hacluster";
}

Status AuthStore::storeLocked(Tokens next) {
  std::string content;
  for (const auto& [hash, token] : next) {
    content += hash + " " + std::to_string(token.issued) + " " + token.label + "\n";
  }
  if (Status s = writeFileAtomic(tokens_path_, content, 0600); !s) return s;
  cache_.tokens = std::move(next);
  cache_.tokens_stamp = stampOf(tokens_path_);
  return {};
}

Result<std::string> AuthStore::issueToken() {
  auto bytes = randomBytes(32);
  if (!bytes) return bytes.error();
  std::string token = toHex(*bytes);
  std::lock_guard lock(mutex_);
  refreshLocked();
  Tokens next = cache_.tokens;
  next[sha256Hex(token)] = Token{now(), kHostAuthLabel};
  if (Status s = storeLocked(std::move(next)); !s) return s.error();
  return token;
}

Result<std::vector<std::string>> AuthStore::issueNodeTokens(
    const std::vector<std::string>& holders) {
  std::vector<std::string> tokens;
  Tokens fresh;
  for (const std::string& holder : holders) {
    const std::string label = nodeTokenLabel(holder);
    if (!validLabel(label)) return Error{"'" + holder + "' is not a valid node name"};
    auto bytes = randomBytes(32);
    if (!bytes) return bytes.error();
    tokens.push_back(toHex(*bytes));
    fresh[sha256Hex(tokens.back())] = Token{now(), label};
  }
  std::lock_guard lock(mutex_);
  refreshLocked();
  Tokens next = cache_.tokens;
  std::erase_if(next, [](const auto& entry) { return entry.second.label != kHostAuthLabel; });
  next.merge(fresh);
  if (Status s = storeLocked(std::move(next)); !s) return s.error();
  return tokens;
}

TokenCheck AuthStore::checkToken(const std::string& token) const {
  // Looking up the hash leaks nothing useful through timing: an attacker who learns where
  // SHA-256(guess) sorts learns nothing about a token's preimage.
  const std::string hash = sha256Hex(token);
  std::lock_guard lock(mutex_);
  refreshLocked();
  const auto it = cache_.tokens.find(hash);
  if (it == cache_.tokens.end()) return {};
  const Token& found = it->second;
  const auto lifetime = options_.token_lifetime.count();
  // Issue times are whole seconds: "more than the lifetime" keeps a token at least the full
  // lifetime (at most a second longer), never less.
  if (lifetime > 0 && found.label == kHostAuthLabel && now() - found.issued > lifetime) {
    return {TokenState::kExpired, found.label};
  }
  return {TokenState::kValid, found.label};
}

Status AuthStore::revokeToken(const std::string& token) {
  std::lock_guard lock(mutex_);
  refreshLocked();
  Tokens next = cache_.tokens;
  if (next.erase(sha256Hex(token)) == 0) return {};
  return storeLocked(std::move(next));
}

Result<std::size_t> AuthStore::revokeLabelsLocked(
    const std::function<bool(const std::string&)>& match) {
  refreshLocked();
  Tokens next = cache_.tokens;
  const std::size_t removed =
      std::erase_if(next, [&](const auto& entry) { return match(entry.second.label); });
  if (removed == 0) return removed;
  if (Status s = storeLocked(std::move(next)); !s) return s.error();
  return removed;
}

Result<std::size_t> AuthStore::revokeHostAuthTokens() {
  std::lock_guard lock(mutex_);
  return revokeLabelsLocked([](const std::string& label) { return label == kHostAuthLabel; });
}

Result<std::size_t> AuthStore::revokeNodeTokens() {
  std::lock_guard lock(mutex_);
  return revokeLabelsLocked([](const std::string& label) { return label != kHostAuthLabel; });
}

}  // namespace pulse::crmd
