// The /metrics endpoint: plain HTTP/1.1 (as ha_cluster_exporter serves on 9664) on crmd's
// small HTTP server (crmd/http/http_server.h: its own thread, bounded requests, timeouts).
//
// What it answers: GET (or HEAD) /metrics with 200 and the text `render` returns; another path
// 404; the rest as http_server.h says (405, 400, 431; 500 when `render` throws).
//
// Thread-safety: `render` runs on the server's thread, one request at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crmd/http/http_server.h"

namespace pulse::crmd::metrics {

inline constexpr std::uint16_t kDefaultPort = 9664;  // ha_cluster_exporter's

using http::ListenAddress;
// --metrics-address: "off", "HOST:PORT", "*:PORT" or "[V6]:PORT".
Result<ListenAddress> parseListenAddress(const std::string& text);

using Render = std::function<std::string()>;
// The answer to one request for `path`.
http::Reply metricsReply(std::string_view path, const Render& render);

// Binds and starts the endpoint; an Error names the address when it cannot bind.
Result<std::unique_ptr<http::HttpServer>> startMetricsServer(const ListenAddress& address,
                                                             Render render);

}  // namespace pulse::crmd::metrics
