// Cryptographic primitives for crmd and pcs (OpenSSL libcrypto): randomness, SHA-256,
// password hashing (PBKDF2-HMAC-SHA256) and constant-time comparison.
// All functions are thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace pulse::crmd {

// `n` bytes from the operating system's CSPRNG (RAND_bytes), or an Error.
Result<std::string> randomBytes(size_t n);

std::string toHex(const std::string& bytes);

// Lower-case hex SHA-256 of `data`.
std::string sha256Hex(const std::string& data);

// Lower-case hex HMAC-SHA256 of `data` under `key`.
std::string hmacSha256Hex(const std::string& key, const std::string& data);

// Equal length and content, in time that depends only on the length.
bool constantTimeEquals(const std::string& a, const std::string& b);

// A salted password hash as stored in the state directory, one line:
//   pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>
struct PasswordHash {
  uint32_t iterations = 0;
  std::string salt;  // raw bytes
  std::string hash;  // raw bytes, 32
};

inline constexpr uint32_t kPasswordIterations = 200000;

// Hashes `password` with a fresh 16-byte random salt.
Result<PasswordHash> hashPassword(const std::string& password,
                                  uint32_t iterations = kPasswordIterations);
bool verifyPassword(const PasswordHash& stored, const std::string& password);

std::string formatPasswordHash(const PasswordHash& hash);
// Refuses anything but the exact format above (iterations 1000..10^8, salt >= 8 bytes).
Result<PasswordHash> parsePasswordHash(const std::string& line);

}  // namespace pulse::crmd
