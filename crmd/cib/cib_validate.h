// Validation of a whole CIB before it is accepted (pcs cluster cib-push, cibadmin --replace):
// bad input is refused "with the reason and the element", never half-applied.
//
// Checks, in order, stopping at the first problem:
// 1. well-formed XML (the error gives the line);
// 2. the root is <cib>; its version attributes, where present, are counters;
// 3. <configuration> with <crm_config>, <nodes>, <resources> and <constraints>;
// 4. every id inside <configuration> is unique;
// 5. primitives name a known resource class (ocf, lsb, systemd, service, stonith, ...);
// 6. constraints reference existing resources (rsc, with-rsc, first, then, resource_ref);
// 7. whatever the policy engine's own reader (pulse::pe::unpackCib) refuses.
// Errors name the element as <tag id="..."> (line N).
//
// Pure: no I/O. Thread-safety: a free function.
#pragma once

#include <string_view>

#include "common/result.h"

namespace pulse::cib {

Status validateCib(std::string_view cib_xml);

}  // namespace pulse::cib
