// The console's connections (console.h): TLS with OpenSSL on crmd's certificate, HTTP/1.1 with
// keep-alive, one thread per connection. The routes are in console_routes.cc.
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <filesystem>
#include <system_error>

#include "common/log.h"
#include "crmd/admin/auth_limiter.h"
#include "crmd/client/tls_identity.h"
#include "crmd/console/console_impl.h"

namespace pulse::crmd::console {
namespace {

constexpr std::chrono::seconds kHandshakeTimeout{10};
constexpr std::chrono::seconds kRequestTimeout{30};

void setTimeout(int fd, int option, std::chrono::seconds timeout) {
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

// The folder of the running executable: crmd's, where pcs is built and installed beside it.
std::string ownFolder() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

// ALPN: the console speaks HTTP/1.1 only (the front routes here only clients that offer it).
int selectHttp11(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                 unsigned int inlen, void*) {
  static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kHttp11, sizeof kHttp11, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

Result<SSL_CTX*> makeContext(const TlsIdentity& identity) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return Error{"console: cannot create a TLS context"};
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  BIO* cert_bio =
      BIO_new_mem_buf(identity.cert_pem.data(), static_cast<int>(identity.cert_pem.size()));
  BIO* key_bio =
      BIO_new_mem_buf(identity.key_pem.data(), static_cast<int>(identity.key_pem.size()));
  X509* cert = cert_bio ? PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr) : nullptr;
  EVP_PKEY* key = key_bio ? PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr) : nullptr;
  const bool ok = cert != nullptr && key != nullptr && SSL_CTX_use_certificate(ctx, cert) == 1 &&
                  SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
  X509_free(cert);
  EVP_PKEY_free(key);
  BIO_free(cert_bio);
  BIO_free(key_bio);
  if (!ok) {
    SSL_CTX_free(ctx);
    return Error{"console: crmd's certificate or key does not load"};
  }
  SSL_CTX_set_alpn_select_cb(ctx, selectHttp11, nullptr);
  return ctx;
}

}  // namespace

Console::Impl::~Impl() {
  pcs.cancel();  // a change or a status run in progress ends now, not at its timeout
  {
    std::lock_guard lock(mutex);
    stopping = true;
    for (const auto& [fd, source] : open) ::shutdown(fd, SHUT_RDWR);
  }
  // Each thread ends at its next read or write (the sockets are shut down) or within a second
  // of SSE waiting (it checks `stopping`).
  std::unique_lock lock(mutex);
  all_closed.wait(lock, [&] { return open.empty(); });
  lock.unlock();
  snapshots.reset();
  if (ctx != nullptr) SSL_CTX_free(ctx);
}

bool Console::Impl::isStopping() const {
  std::lock_guard lock(mutex);
  return stopping;
}

// Reads into `buffer` until a whole request is there; false when the connection is done
// (closed, timed out, refused: the refusal already answered).
bool Console::Impl::readRequest(Connection& c, std::string& buffer, HttpRequest& request) {
  for (;;) {
    ParsedRequest parsed = parseRequest(buffer);
    if (parsed.state == ParsedRequest::State::kComplete) {
      request = std::move(parsed.request);
      buffer.erase(0, parsed.consumed);
      return true;
    }
    if (parsed.state == ParsedRequest::State::kRefused) {
      send(c, formatResponse(errorResponse(parsed.status, parsed.reason), false));
      return false;
    }
    char chunk[4096];
    const int n = SSL_read(c.ssl, chunk, sizeof chunk);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

bool Console::Impl::send(Connection& c, const std::string& bytes) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    const int n = SSL_write(c.ssl, bytes.data() + at,
                            static_cast<int>(std::min<std::size_t>(bytes.size() - at, INT_MAX)));
    if (n <= 0) return false;
    at += static_cast<std::size_t>(n);
  }
  return true;
}

void Console::Impl::serve(int fd, std::string peer) {
  Connection c{nullptr, std::move(peer)};
  setTimeout(fd, SO_RCVTIMEO, kHandshakeTimeout);
  setTimeout(fd, SO_SNDTIMEO, kHandshakeTimeout);
  c.ssl = SSL_new(ctx);
  if (c.ssl != nullptr && SSL_set_fd(c.ssl, fd) == 1 && SSL_accept(c.ssl) == 1) {
    setTimeout(fd, SO_RCVTIMEO, kRequestTimeout);
    setTimeout(fd, SO_SNDTIMEO, kRequestTimeout);
    // Nothing a client sends may end crmd: whatever this connection throws ends it alone.
    try {
      std::string buffer;
      HttpRequest request;
      while (!isStopping() && readRequest(c, buffer, request)) {
        if (request.path == "/api/stream" && request.method == "GET") {
          try {
            stream(c, request);
          } catch (const std::exception& e) {
            logEvent(std::string("console: event stream ended: ") + e.what());
          }
          break;
        }
        HttpResponse response;
        try {
          response = route(c, request);
        } catch (const std::exception& e) {
          logEvent(std::string("console: request failed: ") + e.what());
          response = errorResponse(500, "internal error");
        }
        if (!send(c, formatResponse(response, request.keep_alive, request.method == "HEAD")) ||
            !request.keep_alive) {
          break;
        }
      }
    } catch (const std::exception& e) {
      logEvent(std::string("console: connection from ") + authSource(c.peer) +
               " ended: " + e.what());
    }
    SSL_shutdown(c.ssl);
  }
  ERR_clear_error();  // OpenSSL's error queue is per thread; this thread ends now
  if (c.ssl != nullptr) SSL_free(c.ssl);
  // The descriptor is closed under the mutex, after leaving `open`: its number may be reused
  // by the next accepted connection, whose adopt() then finds it free.
  std::lock_guard lock(mutex);
  auto it = open.find(fd);
  if (it != open.end()) {
    if (--per_source[it->second] == 0) per_source.erase(it->second);
    open.erase(it);
  }
  ::close(fd);
  if (open.empty()) all_closed.notify_all();
}

Console::Console(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Console::~Console() = default;

Result<std::unique_ptr<Console>> Console::start(ConsoleOptions options) {
  if (options.cluster == nullptr) return Error{"console: no cluster given"};
  auto identity = loadOrCreateTlsIdentity(options.state_dir);
  if (!identity) return identity.error();
  auto auth = AuthStore::open(options.state_dir);
  if (!auth) return auth.error();
  auto ctx = makeContext(*identity);
  if (!ctx) return ctx.error();
  if (options.pcs_path.empty()) options.pcs_path = ownFolder() + "/pcs";
  auto impl = std::make_unique<Impl>(std::move(options), std::move(*auth));
  impl->ctx = *ctx;
  impl->snapshots = std::make_unique<SnapshotPublisher>(*impl->options.cluster,
                                                        impl->options.node_name, impl->pcs);
  return std::unique_ptr<Console>(new Console(std::move(impl)));
}

void Console::adopt(int fd, const std::string& peer) {
  const std::string source = authSource(peer);
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopping || impl_->open.size() >= kMaxConnections ||
        impl_->per_source[source] >= kMaxPerSource) {
      if (impl_->per_source[source] == 0) impl_->per_source.erase(source);
      impl_->refusal_log.log("console: refused a connection from " + source + ": too many open");
      ::close(fd);
      return;
    }
    ++impl_->per_source[source];
    impl_->open[fd] = source;
  }
  // Detached: the Impl's destructor waits until every connection has left `open`.
  try {
    std::thread([impl = impl_.get(), fd, peer] { impl->serve(fd, peer); }).detach();
  } catch (const std::system_error& e) {
    // No thread to be had (out of memory or a process limit): this connection only is lost.
    impl_->refusal_log.log(std::string("console: cannot serve a connection from ") + source + ": " +
                           e.what());
    std::lock_guard lock(impl_->mutex);
    impl_->open.erase(fd);
    if (--impl_->per_source[source] == 0) impl_->per_source.erase(source);
    ::close(fd);
    if (impl_->open.empty()) impl_->all_closed.notify_all();
  }
}

}  // namespace pulse::crmd::console
