#include "cib_generator.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "cib_writer.h"
#include "cluster_model.h"

namespace pulse::cibgen {

Knobs effectiveKnobs(const GeneratorOptions& options) {
  if (options.knobs) return *options.knobs;
  return options.profile == Profile::kBench ? benchKnobs() : differentialKnobs(options.seed);
}

bool writeCib(const GeneratorOptions& options, std::ostream& out) {
  const ClusterModel model = buildModel(options, effectiveKnobs(options));
  Sink sink([&out](const char* data, size_t size) {
    out.write(data, static_cast<std::streamsize>(size));
    return static_cast<bool>(out);
  });
  return writeModel(model, sink);
}

bool writeCibFile(const GeneratorOptions& options, const std::string& path, std::string* error) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!file) {
    if (error) *error = "cannot open " + path + " for writing: " + std::strerror(errno);
    return false;
  }
  const ClusterModel model = buildModel(options, effectiveKnobs(options));
  int write_errno = 0;
  bool ok;
  {
    Sink sink([&file, &write_errno](const char* data, size_t size) {
      if (std::fwrite(data, 1, size, file.get()) == size) return true;
      write_errno = errno;
      return false;
    });
    ok = writeModel(model, sink);
  }
  if (std::fclose(file.release()) != 0 && ok) {
    ok = false;
    write_errno = errno;
  }
  if (!ok && error) *error = "cannot write " + path + ": " + std::strerror(write_errno);
  return ok;
}

std::string generateCib(const GeneratorOptions& options) {
  const ClusterModel model = buildModel(options, effectiveKnobs(options));
  std::string text;
  Sink sink([&text](const char* data, size_t size) {
    text.append(data, size);
    return true;
  });
  writeModel(model, sink);
  return text;
}

std::optional<Profile> parseProfile(const std::string& name) {
  if (name == "differential") return Profile::kDifferential;
  if (name == "bench") return Profile::kBench;
  return std::nullopt;
}

}  // namespace pulse::cibgen
