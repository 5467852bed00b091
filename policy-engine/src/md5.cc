#include "policy-engine/md5.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace pulse::pe {
namespace {

// OpenSSL's MD5, fetched once: an implicit fetch (EVP_md5()) on every init costs a lookup in
// the provider's method store. Null only when no loaded provider offers MD5 (a FIPS-only
// configuration), which makes Pacemaker's digests impossible to reproduce.
const EVP_MD* md5Algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  if (md == nullptr) {
    throw std::runtime_error(
        "OpenSSL offers no MD5 (FIPS-only provider?); Pacemaker's operation digests need it");
  }
  return md;
}

void start(EVP_MD_CTX* ctx) {
  if (ctx == nullptr || EVP_DigestInit_ex2(ctx, md5Algorithm(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL could not start an MD5 digest");
  }
}

void feed(EVP_MD_CTX* ctx, std::string_view data) {
  if (EVP_DigestUpdate(ctx, data.data(), data.size()) != 1) {
    throw std::runtime_error("OpenSSL could not update an MD5 digest");
  }
}

std::array<std::uint8_t, 16> end(EVP_MD_CTX* ctx) {
  std::array<std::uint8_t, 16> digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx, digest.data(), &length) != 1 || length != digest.size()) {
    throw std::runtime_error("OpenSSL could not finish an MD5 digest");
  }
  return digest;
}

}  // namespace

void Md5::FreeContext::operator()(evp_md_ctx_st* ctx) const { EVP_MD_CTX_free(ctx); }

Md5::Md5() : ctx_(EVP_MD_CTX_new()) { start(ctx_.get()); }

void Md5::update(std::string_view data) { feed(ctx_.get(), data); }

std::array<std::uint8_t, 16> Md5::finish() { return end(ctx_.get()); }

std::string md5Hex(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  // One context per thread, re-initialised for each digest (EVP_DigestInit_ex2 resets it).
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                                 &EVP_MD_CTX_free);
  start(ctx.get());
  feed(ctx.get(), data);
  std::string hex;
  hex.reserve(32);
  for (std::uint8_t byte : end(ctx.get())) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0xf]);
  }
  return hex;
}

}  // namespace pulse::pe
