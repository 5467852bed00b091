// libFuzzer target: feeds arbitrary bytes to the policy engine as CIB XML.
//
// The engine promises that bad input is an error value, never a crash, a hang, a leak or
// undefined behaviour; this target checks that promise under ASan and UBSan. The result
// itself is ignored. Build and run with `./dev fuzz [SECONDS]`.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy-engine/cib_model.h"
#include "policy-engine/policy_engine.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view cib_xml(reinterpret_cast<const char*>(data), size);
  // Default options: "now" comes from the input's execution-date (or is the epoch), so the
  // date parsing is fuzzed too and every run is reproducible.
  auto result = pulse::pe::schedule(cib_xml);
  static_cast<void>(result);
  // The reader that splits a large status into node_states, forced on every input.
  auto split = pulse::pe::unpackCib(cib_xml, 0);
  static_cast<void>(split);
  return 0;
}
