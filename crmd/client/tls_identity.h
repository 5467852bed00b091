// crmd's TLS identity: a self-signed EC P-256 certificate and its key, generated on first start
// and kept in the state directory (key mode 0600). Clients pin the certificate's SHA-256
// fingerprint (trust on first use), so the certificate needs no CA; its subject alternative
// name is the fixed kTlsServerName, which clients use as the TLS target name.
#pragma once

#include <string>

#include "common/result.h"

namespace pulse::crmd {

inline constexpr char kTlsServerName[] = "pulse-crmd";

struct TlsIdentity {
  std::string key_pem;  // secret
  std::string cert_pem;
  std::string fingerprint;  // SHA-256 of the DER certificate, lower-case hex
};

// A fresh key and certificate (valid 10 years, subject CN=kTlsServerName).
Result<TlsIdentity> generateTlsIdentity();

// Loads crmd.key + crmd.crt from `state_dir`, or generates and stores them when both are
// missing. Only one of them present, unparsable PEM or a key that does not match the
// certificate is an Error naming the file.
Result<TlsIdentity> loadOrCreateTlsIdentity(const std::string& state_dir);

// SHA-256 fingerprint of a PEM certificate, or an Error when it does not parse.
Result<std::string> certificateFingerprint(const std::string& cert_pem);

// How a fingerprint is shown to people, as ssh shows host keys: "SHA256:" and the digest in
// base64 without padding (43 characters). `hex_fingerprint` is the stored form above.
std::string displayFingerprint(const std::string& hex_fingerprint);
// The stored (hex) form of a fingerprint given as "SHA256:<base64>" or as 64 hex digits; an
// Error says what is expected.
Result<std::string> parseFingerprint(const std::string& text);

}  // namespace pulse::crmd
