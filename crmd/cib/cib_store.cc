#include "crmd/cib/cib_store.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "common/atomic_file.h"
#include "common/wall_clock.h"

namespace pulse::cib {
namespace {

constexpr std::string_view kTrailerStart = "<!-- pulse-cib sha256=";
constexpr std::string_view kTrailerEnd = " -->\n";
constexpr std::size_t kDigestHex = 64;

std::string sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

// A parsed, sealed-file body is a CIB we can use: it parses and has readable versions.
Result<CibVersion> checkCibText(std::string_view xml) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size());
  if (!parsed) {
    return Error{"XML does not parse at byte " + std::to_string(parsed.offset) + ": " +
                 parsed.description()};
  }
  pugi::xml_node root = doc.document_element();
  if (std::strcmp(root.name(), "cib") != 0) {
    return Error{"the root element is <" + std::string(root.name()) + ">, not <cib>"};
  }
  return readCibVersion(root);
}

}  // namespace

std::string sealCib(std::string_view cib_xml) {
  std::string text(cib_xml);
  if (text.empty() || text.back() != '\n') text += '\n';
  const std::string digest = sha256Hex(text);
  text.append(kTrailerStart).append(digest).append(kTrailerEnd);
  return text;
}

Result<std::string> unsealCib(std::string_view file_text) {
  const std::size_t trailer_size = kTrailerStart.size() + kDigestHex + kTrailerEnd.size();
  if (file_text.size() < trailer_size) return Error{"no checksum line (file too short)"};
  std::string_view trailer = file_text.substr(file_text.size() - trailer_size);
  if (trailer.substr(0, kTrailerStart.size()) != kTrailerStart ||
      trailer.substr(trailer_size - kTrailerEnd.size()) != kTrailerEnd) {
    return Error{"no checksum line at the end (truncated?)"};
  }
  std::string_view body = file_text.substr(0, file_text.size() - trailer_size);
  std::string_view recorded = trailer.substr(kTrailerStart.size(), kDigestHex);
  if (sha256Hex(body) != recorded) {
    return Error{"checksum mismatch (recorded sha256 " + std::string(recorded) + ")"};
  }
  return std::string(body);
}

CibStore::CibStore(std::string state_dir, Logger log, Clock now, FileIo& io)
    : path_(std::move(state_dir) + "/cib.xml"),
      log_(std::move(log)),
      now_(std::move(now)),
      io_(&io) {
  if (!now_) {
    now_ = [] { return wallClockSeconds(); };
  }
}

Result<LoadedCib> CibStore::load() {
  std::string text;
  if (const int error = io_->read(path_, text)) {
    if (error == ENOENT) return LoadedCib{};  // a fresh node
    return Error{"cannot read " + path_ + ": " + std::strerror(error)};
  }
  auto body = unsealCib(text);
  if (!body) return quarantine(body.error().message);
  auto version = checkCibText(*body);
  if (!version) return quarantine(version.error().message);
  LoadedCib loaded;
  loaded.outcome = LoadedCib::Outcome::kLoaded;
  loaded.xml = std::move(*body);
  loaded.version = *version;
  return loaded;
}

Result<LoadedCib> CibStore::quarantine(const std::string& reason) {
  // Never overwrite an earlier corrupt copy: a second bad file in the same second gets ".N".
  std::string aside = path_ + ".corrupt-" + std::to_string(now_());
  struct stat st {};
  for (int n = 1; ::lstat(aside.c_str(), &st) == 0; ++n) {
    aside = path_ + ".corrupt-" + std::to_string(now_()) + "." + std::to_string(n);
  }
  if (const int error = io_->rename(path_, aside)) {
    return Error{"CIB file " + path_ + " is corrupt (" + reason +
                 ") and cannot be renamed aside: " + std::strerror(error)};
  }
  if (log_) {
    log_("CIB file " + path_ + " is corrupt: " + reason + "; kept as " + aside +
         ", the cluster's copy will be used");
  }
  LoadedCib loaded;
  loaded.outcome = LoadedCib::Outcome::kCorrupt;
  loaded.reason = reason;
  loaded.kept_aside = aside;
  return loaded;
}

Status CibStore::save(std::string_view cib_xml) {
  auto version = checkCibText(cib_xml);
  if (!version) return Error{"refusing to store an unusable CIB: " + version.error().message};
  return writeFileAtomically(*io_, path_, sealCib(cib_xml), 0600);
}

Status CibStore::save(const crmd::ParsedCib& cib, std::string_view trailer) {
  std::string text = cib.text();
  text.append(trailer);
  return writeFileAtomically(*io_, path_, sealCib(text), 0600);
}

}  // namespace pulse::cib
