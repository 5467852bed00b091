#include "pcs-cli/glib_options.h"

#include <algorithm>

namespace pulse::pcs {

ToolError usage(const std::string& message) { return ToolError{kExitUsage, message}; }

// GLib's option syntax over `specs`; calls `on` for each option in order.
std::optional<ToolError> scan(const std::vector<std::string>& args,
                              const std::vector<OptionSpec>& specs, const OnOption& on) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    const bool next_is_value = i + 1 < args.size() && !args[i + 1].starts_with("-");
    if (word.starts_with("--") && word.size() > 2) {
      const auto eq = word.find('=');
      const std::string name = word.substr(2, eq == std::string::npos ? eq : eq - 2);
      const auto spec = std::find_if(specs.begin(), specs.end(),
                                     [&](const OptionSpec& s) { return name == s.long_name; });
      if (spec == specs.end()) return usage("Unknown option --" + name);
      std::optional<std::string> value;
      if (eq != std::string::npos) {
        if (spec->arg == Arg::kNone) return usage("Option --" + name + " takes no argument");
        value = word.substr(eq + 1);
      } else if (spec->arg == Arg::kRequired) {
        if (i + 1 >= args.size()) return usage("Missing argument for --" + name);
        value = args[++i];
      } else if (spec->arg == Arg::kOptional && next_is_value) {
        value = args[++i];
      }
      if (auto error = on(spec->id, value)) return error;
      continue;
    }
    if (!word.starts_with("-") || word.size() < 2) {
      return usage("unexpected argument '" + word + "'");
    }
    // Bundled short options: flags until one that takes an argument.
    for (std::size_t k = 1; k < word.size(); ++k) {
      const char c = word[k];
      const auto spec = std::find_if(specs.begin(), specs.end(),
                                     [&](const OptionSpec& s) { return s.short_name == c; });
      if (spec == specs.end()) return usage(std::string("Unknown option -") + c);
      std::optional<std::string> value;
      if (spec->arg != Arg::kNone) {
        if (k + 1 < word.size()) {
          value = word.substr(k + 1);
        } else if (spec->arg == Arg::kRequired) {
          if (i + 1 >= args.size()) return usage(std::string("Missing argument for -") + c);
          value = args[++i];
        } else if (next_is_value) {
          value = args[++i];
        }
        if (auto error = on(spec->id, value)) return error;
        break;
      }
      if (auto error = on(spec->id, value)) return error;
    }
  }
  return std::nullopt;
}

}  // namespace pulse::pcs
