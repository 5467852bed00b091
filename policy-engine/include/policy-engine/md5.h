// MD5 (RFC 1321), used only to reproduce Pacemaker's operation digests. It is not a
// security primitive here: Pacemaker uses it to notice configuration changes, and we must
// produce the same hex strings it stores in the CIB status. The hashing is OpenSSL's (EVP),
// the library crmd and pcs already link for TLS.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace pulse::pe {

// Incremental MD5 so callers can feed data in pieces; finish() may be called once.
class Md5 {
 public:
  Md5();
  void update(std::string_view data);
  std::array<std::uint8_t, 16> finish();

 private:
  struct FreeContext {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_md_ctx_st, FreeContext> ctx_;
};

// Lower-case hex MD5 of `data`, the form Pacemaker writes into op-digest attributes. Reuses one
// OpenSSL context per thread: the engine computes several digests for every recorded operation.
std::string md5Hex(std::string_view data);

}  // namespace pulse::pe
