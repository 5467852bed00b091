#include "crmd/client/tls_identity.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <memory>
#include <string_view>

#include "crmd/client/crypto.h"
#include "crmd/client/secure_file.h"

namespace pulse::crmd {
namespace {

template <class T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

std::string bioToString(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

bool addExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

X509Ptr parseCertificate(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

std::string fingerprintOf(X509* cert) {
  unsigned char* der = nullptr;
  const int n = i2d_X509(cert, &der);
  if (n <= 0) return {};
  std::string bytes(reinterpret_cast<const char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return sha256Hex(bytes);
}

}  // namespace

Result<std::string> certificateFingerprint(const std::string& cert_pem) {
  X509Ptr cert = parseCertificate(cert_pem);
  if (!cert) return Error{"not a PEM certificate"};
  std::string fingerprint = fingerprintOf(cert.get());
  if (fingerprint.empty()) return Error{"cannot encode certificate"};
  return fingerprint;
}

Result<TlsIdentity> generateTlsIdentity() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr cert(X509_new());
  if (!key || !cert) return Error{"cannot generate an EC P-256 key"};
  auto serial_bytes = randomBytes(16);
  if (!serial_bytes) return serial_bytes.error();
  std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>> serial(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(serial_bytes->data()), 16, nullptr));
  X509_NAME* name = X509_get_subject_name(cert.get());
  constexpr long kTenYears = 10L * 365 * 24 * 3600;
  const bool ok = serial && X509_set_version(cert.get(), 2) == 1 &&
                  BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) != nullptr &&
                  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
                  X509_gmtime_adj(X509_getm_notAfter(cert.get()), kTenYears) != nullptr &&
                  X509_set_pubkey(cert.get(), key.get()) == 1 &&
                  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                             reinterpret_cast<const unsigned char*>(kTlsServerName),
                                             -1, -1, 0) == 1 &&
                  X509_set_issuer_name(cert.get(), name) == 1 &&
                  // Self-signed and used as its own trust anchor by clients: CA:TRUE lets OpenSSL
                  // accept it as the root of a one-certificate chain.
                  addExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") &&
                  addExtension(cert.get(), NID_subject_key_identifier, "hash") &&
                  addExtension(cert.get(), NID_subject_alt_name, "DNS:pulse-crmd") &&
                  X509_sign(cert.get(), key.get(), EVP_sha256()) > 0;
  if (!ok) return Error{"cannot build the self-signed certificate"};

  BioPtr key_bio(BIO_new(BIO_s_mem()));
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || !cert_bio ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1) {
    return Error{"cannot encode the key and certificate as PEM"};
  }
  return TlsIdentity{bioToString(key_bio.get()), bioToString(cert_bio.get()),
                     fingerprintOf(cert.get())};
}

Result<TlsIdentity> loadOrCreateTlsIdentity(const std::string& state_dir) {
  const std::string key_path = state_dir + "/crmd.key";
  const std::string cert_path = state_dir + "/crmd.crt";
  const bool have_key = fileExists(key_path);
  const bool have_cert = fileExists(cert_path);
  if (!have_key && !have_cert) {
    auto identity = generateTlsIdentity();
    if (!identity) return identity.error();
    // Key first: a crash between the two writes leaves a key without certificate, which the
    // next start reports instead of silently serving a certificate whose key was lost.
    if (Status s = writeFileAtomic(key_path, identity->key_pem, 0600); !s) return s.error();
    if (Status s = writeFileAtomic(cert_path, identity->cert_pem, 0644); !s) return s.error();
    return identity;
  }
  if (!have_key || !have_cert) {
    return Error{(have_key ? cert_path : key_path) +
                 " is missing while the other half of the TLS identity exists; remove both to "
                 "generate a new certificate"};
  }
  auto key_pem = readSecretFile(key_path);
  if (!key_pem) return key_pem.error();
  auto cert_pem = readFile(cert_path);
  if (!cert_pem) return cert_pem.error();
  X509Ptr cert = parseCertificate(*cert_pem);
  if (!cert) return Error{cert_path + ": not a PEM certificate"};
  BioPtr bio(BIO_new_mem_buf(key_pem->data(), static_cast<int>(key_pem->size())));
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return Error{key_path + ": not a PEM private key"};
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return Error{key_path + " does not match " + cert_path};
  }
  return TlsIdentity{*key_pem, *cert_pem, fingerprintOf(cert.get())};
}

std::string displayFingerprint(const std::string& hex_fingerprint) {
  std::string raw;
  for (std::size_t i = 0; i + 1 < hex_fingerprint.size(); i += 2) {
    raw.push_back(static_cast<char>(std::stoi(hex_fingerprint.substr(i, 2), nullptr, 16)));
  }
  std::string b64(4 * ((raw.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                                reinterpret_cast<const unsigned char*>(raw.data()),
                                static_cast<int>(raw.size()));
  b64.resize(static_cast<std::size_t>(n));
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return "SHA256:" + b64;
}

Result<std::string> parseFingerprint(const std::string& text) {
  const Error bad{"'" + text + "' is not a certificate fingerprint (expected SHA256:<base64>, as " +
                  "pcs host auth and crmd fingerprint print it)"};
  if (text.size() == 64 && text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
    std::string hex = text;
    for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return hex;
  }
  constexpr std::string_view kPrefix = "SHA256:";
  if (!text.starts_with(kPrefix) || text.size() != kPrefix.size() + 43) return bad;
  std::string b64 = text.substr(kPrefix.size()) + "=";
  if (b64.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") !=
      std::string::npos) {
    return bad;
  }
  unsigned char raw[33];
  const int n = EVP_DecodeBlock(raw, reinterpret_cast<const unsigned char*>(b64.data()),
                                static_cast<int>(b64.size()));
  if (n != 33) return bad;  // 44 base64 characters decode to 33 bytes, the last one padding
  const std::string hex = toHex(std::string(reinterpret_cast<const char*>(raw), 32));
  if (displayFingerprint(hex) != text) return bad;  // non-canonical trailing bits
  return hex;
}

}  // namespace pulse::crmd
