// Small CIBs shared by the CIB tests.
#pragma once

#include <string>

#include "tests/fixtures/cib_fixtures.h"

namespace pulse::cib::testing {

// Two nodes, a Dummy resource `vip` with a monitor, a resource `db`, a location preference and
// a colocation; the status section is empty.
inline const std::string kCib = fixtures::cibXml(
    {.cib_attributes = R"(crm_feature_set="3.16.2" validate-with="pacemaker-3.7" epoch="5" )"
                       R"(num_updates="2" admin_epoch="0" have-quorum="1")",
     .nodes = 2,
     .resources = R"(      <primitive id="vip" class="ocf" provider="pacemaker" type="Dummy">
        <instance_attributes id="vip-params">
          <nvpair id="vip-params-state" name="state" value="/run/vip.state"/>
        </instance_attributes>
        <operations>
          <op id="vip-monitor-10s" name="monitor" interval="10s"/>
        </operations>
      </primitive>
      <primitive id="db" class="ocf" provider="pacemaker" type="Dummy"/>
)",
     .constraints = R"(      <rsc_location id="loc-vip" rsc="vip" node="n1" score="100"/>
      <rsc_colocation id="col-db-vip" rsc="db" with-rsc="vip" score="INFINITY"/>
)"});

// `kCib` with one attribute edited, for "another version" in store tests.
inline std::string withScore(const std::string& score) {
  std::string out = kCib;
  out.replace(out.find("score=\"100\""), 11, "score=\"" + score + "\"");
  return out;
}

}  // namespace pulse::cib::testing
