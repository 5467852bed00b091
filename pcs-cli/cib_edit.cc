// applyEdit(): load, dispatch to the command's apply(), re-check, write back.
#include "cib_edit.h"

#include <charconv>

#include "cib_commands.h"

namespace pulse::pcs {

Result<std::string> applyEdit(const std::string& cib_xml, const Edit& edit,
                              const EditContext& context) {
  cibxml::Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  // Errors are returned before finish(): the half-edited document dies here.
  const Status applied =
      std::visit([&](const auto& e) { return cibxml::apply(cib, e, context); }, edit);
  if (!applied) return applied.error();
  return cibxml::finish(cib);
}

Result<std::string> bumpEpoch(const std::string& cib_xml) {
  cibxml::Cib cib;
  if (Status s = cibxml::load(cib_xml, cib); !s) return s.error();
  const std::string text = cib.cib.attribute("epoch").as_string("0");
  long long epoch = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), epoch);
  if (ec != std::errc() || ptr != text.data() + text.size() || epoch < 0) {
    return Error{"<cib> has an invalid epoch '" + text + "'"};
  }
  if (!cib.cib.attribute("epoch")) cib.cib.append_attribute("epoch");
  cib.cib.attribute("epoch") = std::to_string(epoch + 1).c_str();
  if (!cib.cib.attribute("num_updates")) cib.cib.append_attribute("num_updates");
  cib.cib.attribute("num_updates") = "0";
  return cibxml::finish(cib);
}

}  // namespace pulse::pcs
