// The console's HTTP/1.1 requests and answers, as pure functions over text: the server feeds
// what it has read so far and gets a whole request, "need more", or the status to refuse it
// with. Total: any bytes give one of these three, never an exception or a read past the end.
//
// Accepted: "METHOD TARGET HTTP/1.x" with METHOD among GET, HEAD, POST; header lines
// "Name: value" (names compared case-insensitively); a body only by Content-Length (chunked
// bodies are refused 411/501: the console's page never sends them). A head over kMaxHead is
// 431, a body over kMaxBody 413, anything malformed 400.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pulse::crmd::console {

inline constexpr std::size_t kMaxHead = 8192;
inline constexpr std::size_t kMaxBody = 65536;

struct HttpRequest {
  std::string method;
  std::string path;                            // without the query string
  std::string query;                           // after '?', undecoded
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool keep_alive = true;  // HTTP/1.1 default; "Connection: close" or HTTP/1.0 turn it off

  // The header's value, "" when absent.
  std::string header(const std::string& lower_name) const;
};

struct ParsedRequest {
  enum class State { kNeedMore, kComplete, kRefused } state = State::kNeedMore;
  HttpRequest request;       // kComplete
  std::size_t consumed = 0;  // kComplete: bytes of the buffer the request took
  int status = 0;            // kRefused: the status to answer before closing
  std::string reason;        // kRefused: one line saying what was wrong
};

ParsedRequest parseRequest(std::string_view buffer);

// `name`'s value in a query string or form body ("a=1&name=x%20y"), percent- and '+'-decoded;
// "" when absent or when its escapes are malformed.
std::string queryParam(std::string_view query, std::string_view name);

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. Set-Cookie
};

// "200 OK", "401 Unauthorized", ...; "500 Internal Server Error" for a code it does not know.
std::string_view statusText(int status);

// The whole answer: status line, the console's fixed security headers (a Content-Security-Policy
// that allows only the page's own scripts and styles, no framing, no sniffing, no caching),
// Content-Type/Length, the extra headers, Connection, a blank line and the body (left out for
// HEAD: `head_only`).
std::string formatResponse(const HttpResponse& response, bool keep_alive, bool head_only = false);

// A JSON object {"error": message} as an answer with `status`.
HttpResponse errorResponse(int status, const std::string& message);

}  // namespace pulse::crmd::console
