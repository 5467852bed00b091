#include "crmd/client/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <charconv>
#include <optional>
#include <vector>

namespace pulse::crmd {
namespace {

std::optional<std::string> fromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, value, 16);
    if (ec != std::errc() || ptr != hex.data() + i + 2) return std::nullopt;
    out.push_back(static_cast<char>(value));
  }
  return out;
}

std::string pbkdf2(const std::string& password, const std::string& salt, uint32_t iterations) {
  std::string out(32, '\0');
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                    static_cast<int>(out.size()), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

}  // namespace

Result<std::string> randomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return Error{"random number generator failed"};
  }
  return out;
}

std::string toHex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::string sha256Hex(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return toHex(std::string(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string hmacSha256Hex(const std::string& key, const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  return toHex(std::string(reinterpret_cast<const char*>(digest), length));
}

bool constantTimeEquals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<PasswordHash> hashPassword(const std::string& password, uint32_t iterations) {
  auto salt = randomBytes(16);
  if (!salt) return salt.error();
  PasswordHash out{iterations, *salt, pbkdf2(password, *salt, iterations)};
  return out;
}

bool verifyPassword(const PasswordHash& stored, const std::string& password) {
  return constantTimeEquals(pbkdf2(password, stored.salt, stored.iterations), stored.hash);
}

std::string formatPasswordHash(const PasswordHash& hash) {
  return "pbkdf2-sha256$" + std::to_string(hash.iterations) + "$" + toHex(hash.salt) + "$" +
         toHex(hash.hash) + "\n";
}

Result<PasswordHash> parsePasswordHash(const std::string& text) {
  std::string line = text;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  std::vector<std::string_view> parts;
  std::string_view rest = line;
  for (size_t pos; (pos = rest.find('$')) != std::string_view::npos; rest.remove_prefix(pos + 1)) {
    parts.push_back(rest.substr(0, pos));
  }
  parts.push_back(rest);
  const Error bad{"not a pbkdf2-sha256$<iterations>$<salt>$<hash> line"};
  if (parts.size() != 4 || parts[0] != "pbkdf2-sha256") return bad;
  uint32_t iterations = 0;
  const auto [ptr, ec] =
      std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
  if (ec != std::errc() || ptr != parts[1].data() + parts[1].size() || iterations < 1000 ||
      iterations > 100000000) {
    return bad;
  }
  auto salt = fromHex(parts[2]);
  auto hash = fromHex(parts[3]);
  if (!salt || !hash || salt->size() < 8 || hash->size() != 32) return bad;
  return PasswordHash{iterations, *salt, *hash};
}

}  // namespace pulse::crmd
