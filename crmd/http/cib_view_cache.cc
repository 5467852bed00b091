#include "crmd/http/cib_view_cache.h"

#include "common/log.h"

namespace pulse::crmd::http {

std::shared_ptr<const pe::ClusterView> CibViewCache::view(const std::string& cib_xml) {
  std::lock_guard lock(mutex_);
  if (read_ && cib_xml == cib_text_) return view_;
  read_ = true;
  cib_text_ = cib_xml;
  view_.reset();
  ++runs_;
  auto transition = pe::schedule(cib_text_);
  if (transition) {
    view_ = std::make_shared<const pe::ClusterView>(std::move(transition->current));
  } else {
    logEvent("route checks and metrics: cannot read this node's CIB: " +
             transition.error().message);
  }
  return view_;
}

std::uint64_t CibViewCache::engineRuns() const {
  std::lock_guard lock(mutex_);
  return runs_;
}

}  // namespace pulse::crmd::http
