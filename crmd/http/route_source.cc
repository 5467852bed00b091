#include "crmd/http/route_source.h"

#include <algorithm>

namespace pulse::crmd::http {

RouteFacts RouteSource::facts() {
  RouteFacts f;
  const ClusterSnapshot c = cluster_.snapshot();
  f.node = node_name_;
  for (const MemberRuntime& m : c.members) {
    if (m.node.id == c.local_id && !m.node.name.empty()) f.node = m.node.name;
  }
  f.running = c.running;
  f.member = c.view && std::find(c.view->members.begin(), c.view->members.end(), c.local_id) !=
                           c.view->members.end();
  f.quorate = c.quorum.quorate;
  if (!f.running) return f;
  auto cib = cluster_.readCib();
  if (!cib) return f;
  f.cib_current = cib->current;
  if (auto view = views_.view(cib->cib.xml)) f.status = *view;
  return f;
}

}  // namespace pulse::crmd::http
