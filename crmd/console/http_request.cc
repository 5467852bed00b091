#include "crmd/console/http_request.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

namespace pulse::crmd::console {
namespace {

ParsedRequest refuse(int status, std::string reason) {
  ParsedRequest out;
  out.state = ParsedRequest::State::kRefused;
  out.status = status;
  out.reason = std::move(reason);
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool isTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string HttpRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

ParsedRequest parseRequest(std::string_view buffer) {
  const std::size_t head_end = buffer.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (buffer.size() > kMaxHead) return refuse(431, "request head too large");
    return {};
  }
  if (head_end + 4 > kMaxHead) return refuse(431, "request head too large");
  std::string_view head = buffer.substr(0, head_end);
  const std::size_t line_end = head.find("\r\n");
  std::string_view line = head.substr(0, line_end);
  std::string_view rest =
      line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);

  ParsedRequest out;
  HttpRequest& request = out.request;
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos ||
      line.find(' ', sp2 + 1) != std::string_view::npos) {
    return refuse(400, "malformed request line");
  }
  request.method = std::string(line.substr(0, sp1));
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return refuse(400, "not HTTP/1.x");
  if (request.method != "GET" && request.method != "HEAD" && request.method != "POST") {
    return refuse(405, "method not allowed");
  }
  if (target.empty() || target.front() != '/') return refuse(400, "the target must be a path");
  for (char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return refuse(400, "bad character in the target");
    }
  }
  const std::size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  request.keep_alive = version == "HTTP/1.1";

  while (!rest.empty()) {
    const std::size_t end = rest.find("\r\n");
    const std::string_view field = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 2);
    const std::size_t colon = field.find(':');
    if (colon == 0 || colon == std::string_view::npos) return refuse(400, "malformed header line");
    const std::string_view name = field.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), isTokenChar))
      return refuse(400, "malformed header name");
    const std::string key = lower(name);
    const std::string value(trim(field.substr(colon + 1)));
    if (key == "content-length" && request.headers.contains(key) && request.headers[key] != value) {
      return refuse(400, "conflicting Content-Length");
    }
    auto [it, fresh] = request.headers.emplace(key, value);
    if (!fresh) it->second += ", " + value;
  }
  const std::string connection = lower(request.header("connection"));
  if (connection.find("close") != std::string::npos) request.keep_alive = false;
  if (connection.find("keep-alive") != std::string::npos) request.keep_alive = true;
  if (!request.header("transfer-encoding").empty())
    return refuse(501, "chunked bodies are not accepted");

  std::size_t length = 0;
  if (const std::string text = request.header("content-length"); !text.empty()) {
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
    if (ec != std::errc() || ptr != text.data() + text.size())
      return refuse(400, "bad Content-Length");
    if (length > kMaxBody) return refuse(413, "request body too large");
  } else if (request.method == "POST") {
    return refuse(411, "a POST needs a Content-Length");
  }
  const std::size_t body_start = head_end + 4;
  if (buffer.size() - body_start < length) return {};
  request.body = std::string(buffer.substr(body_start, length));
  out.state = ParsedRequest::State::kComplete;
  out.consumed = body_start + length;
  return out;
}

std::string queryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    if (eq == std::string_view::npos) return "";
    std::string out;
    const std::string_view raw = pair.substr(eq + 1);
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '+') {
        out += ' ';
      } else if (raw[i] == '%') {
        if (i + 2 >= raw.size()) return "";
        const int high = hexValue(raw[i + 1]), low = hexValue(raw[i + 2]);
        if (high < 0 || low < 0) return "";
        out += static_cast<char>(high * 16 + low);
        i += 2;
      } else {
        out += raw[i];
      }
    }
    return out;
  }
  return "";
}

std::string_view statusText(int status) {
  switch (status) {
    case 200:
      return "200 OK";
    case 204:
      return "204 No Content";
    case 303:
      return "303 See Other";
    case 400:
      return "400 Bad Request";
    case 401:
      return "401 Unauthorized";
    case 403:
      return "403 Forbidden";
    case 404:
      return "404 Not Found";
    case 405:
      return "405 Method Not Allowed";
    case 409:
      return "409 Conflict";
    case 411:
      return "411 Length Required";
    case 413:
      return "413 Content Too Large";
    case 429:
      return "429 Too Many Requests";
    case 431:
      return "431 Request Header Fields Too Large";
    case 501:
      return "501 Not Implemented";
    case 502:
      return "502 Bad Gateway";
    case 503:
      return "503 Service Unavailable";
    default:
      return "500 Internal Server Error";
  }
}

std::string formatResponse(const HttpResponse& response, bool keep_alive, bool head_only) {
  std::string out = "HTTP/1.1 ";
  out += statusText(response.status);
  out +=
      "\r\nContent-Security-Policy: default-src 'self'; img-src 'self' data:; frame-ancestors "
      "'none'; base-uri 'none'; form-action 'self'\r\nX-Frame-Options: DENY\r\n"
      "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n"
      "Cache-Control: no-store\r\nContent-Type: ";
  out += response.content_type;
  out += "\r\nContent-Length: " + std::to_string(response.body.size()) + "\r\n";
  for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (!head_only) out += response.body;
  return out;
}

HttpResponse errorResponse(int status, const std::string& message) {
  return {status, "application/json", nlohmann::json{{"error", message}}.dump(), {}};
}

}  // namespace pulse::crmd::console
