#include "crmd/cib/parsed_cib.h"

#include <atomic>
#include <cstring>
#include <sstream>

namespace pulse::crmd {
namespace {
std::atomic<std::uint64_t> g_parses{0};
}  // namespace

Result<CibRef> ParsedCib::parse(std::string source, CibStamp stamp) {
  g_parses.fetch_add(1, std::memory_order_relaxed);
  // make_shared cannot reach the private constructor; the object is never copied or moved.
  std::shared_ptr<ParsedCib> cib(new ParsedCib());
  cib->stamp_ = stamp;
  cib->source_ = std::move(source);
  const pugi::xml_parse_result parsed =
      cib->doc_.load_buffer(cib->source_.data(), cib->source_.size(),
                            pugi::parse_default | pugi::parse_comments, pugi::encoding_utf8);
  if (!parsed) {
    return Error{"the CIB does not parse at byte " + std::to_string(parsed.offset) + ": " +
                 parsed.description()};
  }
  pugi::xml_node root = cib->doc_.document_element();
  if (std::strcmp(root.name(), "cib") != 0) {
    return Error{"the root element is <" + std::string(root.name()) + ">, not <cib>"};
  }
  cib::writeCibVersion(root, stamp.version);
  std::ostringstream text;
  cib->doc_.save(text, "  ", pugi::format_default, pugi::encoding_utf8);
  cib->text_ = std::move(text).str();
  return CibRef(std::move(cib));
}

std::uint64_t parseCount() { return g_parses.load(std::memory_order_relaxed); }

}  // namespace pulse::crmd
