#include "crmd/client/pinned_channel.h"

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <netdb.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

#include "crmd/client/tls_identity.h"

namespace pulse::crmd {
namespace {

// A TCP connection to `address` within `timeout`, or an Error; the fd is blocking with send
// and receive timeouts set, so the TLS handshake on it cannot hang either.
Result<int> connectWithTimeout(const NodeAddress& address, std::chrono::seconds timeout) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const std::string port = std::to_string(address.port);
  if (int rc = getaddrinfo(address.host.c_str(), port.c_str(), &hints, &list); rc != 0) {
    return Error{"cannot resolve " + address.host + ": " + gai_strerror(rc)};
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(list, freeaddrinfo);
  std::string last_error = "no address";
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) continue;
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd pfd{fd, POLLOUT, 0};
      rc = poll(&pfd, 1, static_cast<int>(timeout.count() * 1000));
      int so_error = 0;
      socklen_t len = sizeof so_error;
      if (rc == 0) {
        errno = ETIMEDOUT;
        rc = -1;
      } else if (rc > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) == 0) {
        errno = so_error;
        rc = so_error == 0 ? 0 : -1;
      }
    }
    if (rc == 0) {
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      timeval tv{static_cast<time_t>(timeout.count()), 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      return fd;
    }
    last_error = std::strerror(errno);
    close(fd);
  }
  return Error{"cannot connect to " + address.target() + ": " + last_error};
}

}  // namespace

std::string NodeAddress::target() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<NodeAddress> parseNodeAddress(const std::string& text) {
  NodeAddress out;
  std::string port;
  if (text.starts_with("[")) {
    const size_t close = text.find(']');
    if (close == std::string::npos) return Error{"bad address '" + text + "'"};
    out.host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return Error{"bad address '" + text + "'"};
      port = text.substr(close + 2);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    out.host = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
  } else {
    out.host = text;  // a host name, IPv4, or an IPv6 address without brackets (no port)
  }
  if (out.host.empty()) return Error{"bad address '" + text + "'"};
  if (!port.empty() || text.ends_with(":")) {
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (ec != std::errc() || ptr != port.data() + port.size() || out.port < 1 || out.port > 65535) {
      return Error{"bad port in address '" + text + "'"};
    }
  }
  return out;
}

Result<std::string> fetchCertificate(const NodeAddress& address, std::chrono::seconds timeout) {
  auto fd = connectWithTimeout(address, timeout);
  if (!fd) return fd.error();
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        SSL_CTX_free);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(ctx ? SSL_new(ctx.get()) : nullptr, SSL_free);
  if (!ssl) {
    close(*fd);
    return Error{"cannot set up TLS"};
  }
  // No verification here on purpose: this only learns which certificate the node presents;
  // trust comes from the pin and from the verified gRPC handshake that follows.
  SSL_set_verify(ssl.get(), SSL_VERIFY_NONE, nullptr);
  SSL_set_tlsext_host_name(ssl.get(), kTlsServerName);
  SSL_set_fd(ssl.get(), *fd);
  std::string pem;
  std::string error = "TLS handshake with " + address.target() + " failed";
  if (SSL_connect(ssl.get()) == 1) {
    X509* cert = SSL_get1_peer_certificate(ssl.get());
    BIO* bio = BIO_new(BIO_s_mem());
    if (cert != nullptr && bio != nullptr && PEM_write_bio_X509(bio, cert) == 1) {
      char* data = nullptr;
      const long n = BIO_get_mem_data(bio, &data);
      pem.assign(data, static_cast<size_t>(n));
    }
    BIO_free(bio);
    X509_free(cert);
    SSL_shutdown(ssl.get());
  }
  close(*fd);
  if (pem.empty()) return Error{error};
  return pem;
}

std::shared_ptr<grpc::Channel> pinnedChannel(const NodeAddress& address, const std::string& cert) {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = cert;
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride(kTlsServerName);
  args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);
  return grpc::CreateCustomChannel(address.target(), grpc::SslCredentials(tls), args);
}

Result<std::shared_ptr<grpc::Channel>> openPinnedChannel(const NodeAddress& address,
                                                         const std::string& fingerprint,
                                                         std::chrono::seconds timeout) {
  auto cert = fetchCertificate(address, timeout);
  if (!cert) return cert.error();
  auto actual = certificateFingerprint(*cert);
  if (!actual) return Error{"the node's certificate: " + actual.error().message};
  if (*actual != fingerprint) {
    return Error{"the node's TLS certificate changed (pinned SHA-256 " + fingerprint + ", now " +
                 *actual + ")"};
  }
  return pinnedChannel(address, *cert);
}

}  // namespace pulse::crmd
