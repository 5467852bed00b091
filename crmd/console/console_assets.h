// The console's page, built into crmd: crmd/console/web/*, turned into string constants at
// build time (embed_assets.cmake), so nothing is read from disk and no Node toolchain is needed.
#pragma once

#include <string_view>

namespace pulse::crmd::console {

extern const std::string_view kIndexHtml;
extern const std::string_view kConsoleJs;
extern const std::string_view kConsoleCss;

}  // namespace pulse::crmd::console
