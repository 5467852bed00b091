#include "crmd/metrics/metrics_server.h"

#include "crmd/metrics/metrics_text.h"

namespace pulse::crmd::metrics {

Result<ListenAddress> parseListenAddress(const std::string& text) {
  return http::parseListenAddress(text, "--metrics-address");
}

http::Reply metricsReply(std::string_view path, const Render& render) {
  if (path != "/metrics")
    return {404, "text/plain; charset=utf-8", "the metrics are at /metrics\n"};
  return {200, std::string(kContentType), render()};
}

Result<std::unique_ptr<http::HttpServer>> startMetricsServer(const ListenAddress& address,
                                                             Render render) {
  return http::HttpServer::start(address, "metrics",
                                 [render = std::move(render)](const http::Request& request) {
                                   return metricsReply(request.path, render);
                                 });
}

}  // namespace pulse::crmd::metrics
