#include "crmd/daemon/pe_input_store.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "common/atomic_file.h"
#include "crmd/client/secure_file.h"

namespace pulse::crmd {
namespace {

constexpr std::string_view kPrefix = "pe-input-";
constexpr std::string_view kSuffix = ".xml.gz";

}  // namespace

std::int64_t engineInputSequence(std::string_view name) {
  if (name.size() <= kPrefix.size() + kSuffix.size()) return -1;
  if (name.substr(0, kPrefix.size()) != kPrefix) return -1;
  if (name.substr(name.size() - kSuffix.size()) != kSuffix) return -1;
  std::string_view digits =
      name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value < 0) return -1;
  return value;
}

Result<std::string> gzipCompress(std::string_view data) {
  z_stream zs{};
  // 15 + 16: the largest window, with a gzip header and trailer instead of zlib's.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Error{"cannot start gzip compression: " + std::string(zs.msg ? zs.msg : "zlib error")};
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  std::size_t written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END)
    return Error{"gzip compression failed (zlib code " + std::to_string(rc) + ")"};
  out.resize(written);
  return out;
}

Result<EngineInputStore> EngineInputStore::open(std::string dir, std::size_t keep) {
  namespace fs = std::filesystem;
  if (Status s = ensureDirectory(dir, nullptr, "the engine input directory"); !s) return s.error();
  EngineInputStore store(std::move(dir), keep);
  std::error_code ec;
  fs::directory_iterator it(store.dir_, ec);
  if (ec)
    return Error{"cannot list the engine input directory " + store.dir_ + ": " + ec.message()};
  for (const auto& entry : it) {
    std::int64_t n = engineInputSequence(entry.path().filename().string());
    if (n < 0) continue;
    store.present_.insert(static_cast<std::uint64_t>(n));
    // Inputs saved by an older release were 0640: they hold the whole CIB, agent passwords
    // included, so they are made private too.
    struct stat st {};
    if (::lstat(entry.path().c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077)) {
      ::chmod(entry.path().c_str(), 0600);
    }
  }
  if (!store.present_.empty()) store.next_ = *store.present_.rbegin() + 1;
  return store;
}

std::string EngineInputStore::pathFor(std::uint64_t sequence) const {
  return dir_ + "/" + std::string(kPrefix) + std::to_string(sequence) + std::string(kSuffix);
}

std::string asDcEngineInput(std::string_view cib_xml, std::string_view dc_id) {
  // The root is the first element: skip the declaration, comments and processing
  // instructions, all of which start with "<?" or "<!".
  std::size_t open = cib_xml.find('<');
  while (open != std::string_view::npos && open + 1 < cib_xml.size() &&
         (cib_xml[open + 1] == '?' || cib_xml[open + 1] == '!')) {
    open = cib_xml.find('<', open + 1);
  }
  if (open == std::string_view::npos || cib_xml.substr(open + 1, 3) != "cib")
    return std::string(cib_xml);
  const char after = open + 4 < cib_xml.size() ? cib_xml[open + 4] : '>';
  if (after != ' ' && after != '\t' && after != '\n' && after != '\r' && after != '>' &&
      after != '/')
    return std::string(cib_xml);  // <cibfoo>: not the root we know
  std::size_t close = open + 4;
  for (char quote = 0; close < cib_xml.size(); ++close) {
    const char c = cib_xml[close];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      break;
    }
  }
  if (close >= cib_xml.size()) return std::string(cib_xml);
  if (close > open && cib_xml[close - 1] == '/') --close;
  const std::string_view tag = cib_xml.substr(open, close - open);
  const auto names = [&](std::string_view attribute) {
    for (std::size_t at = tag.find(attribute); at != std::string_view::npos;
         at = tag.find(attribute, at + 1)) {
      const char before = tag[at - 1];
      std::size_t rest = at + attribute.size();
      while (rest < tag.size() && (tag[rest] == ' ' || tag[rest] == '\t')) ++rest;
      if ((before == ' ' || before == '\t' || before == '\n' || before == '\r') &&
          rest < tag.size() && tag[rest] == '=')
        return true;
    }
    return false;
  };
  std::string extra;
  if (!names("have-quorum")) extra += " have-quorum=\"1\"";
  if (!names("dc-uuid") && !dc_id.empty()) extra += " dc-uuid=\"" + std::string(dc_id) + "\"";
  std::string out(cib_xml.substr(0, close));
  out += extra;
  out += cib_xml.substr(close);
  return out;
}

Result<std::string> EngineInputStore::save(const std::string& cib_xml) {
  if (keep_ == 0) return std::string();
  if (last_ && *last_ == cib_xml) return pathFor(next_ - 1);
  auto compressed = gzipCompress(cib_xml);
  const std::string path = pathFor(next_);
  if (!compressed)
    return Error{"cannot save engine input " + path + ": " + compressed.error().message};
  if (Status st = writeFileAtomically(path, *compressed, 0600); !st) {
    return Error{"cannot save engine input: " + st.error().message};
  }
  present_.insert(next_);
  ++next_;
  last_ = cib_xml;
  // A file that cannot be removed stays counted: the next save tries again.
  while (present_.size() > keep_) {
    std::uint64_t oldest = *present_.begin();
    if (::unlink(pathFor(oldest).c_str()) != 0 && errno != ENOENT) break;
    present_.erase(present_.begin());
  }
  return path;
}

}  // namespace pulse::crmd
