// The DC's last transitions for the console's graph: each saved engine input
// (<state dir>/pengine/pe-input-N.xml.gz, crmd/daemon/pe_input_store.h) replayed through the
// policy engine, as `pe-simulate -x FILE -S` would: the actions it scheduled and their order.
// Only the DC saves inputs; on other nodes the list is empty.
//
// Thread-safety: any thread; a mutex guards the cache (an input file never changes once
// written, so its replay is cached by name, at most kCached of them).
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace pulse::crmd::console {

class TransitionReplay {
 public:
  static constexpr std::size_t kCached = 32;
  explicit TransitionReplay(std::string pengine_dir) : dir_(std::move(pengine_dir)) {}

  // {"transitions": [{"input": "pe-input-7.xml.gz", "at_ms": ..., "summary": [...],
  //   "actions": [{"id", "key", "task", "resource", "node", "pseudo"}], "orderings":
  //   [[first, then]...]}, ...]}, newest first, at most `count`; an input that cannot be read
  // or replayed has "error" instead.
  std::string json(std::size_t count);

 private:
  std::string replay(const std::string& path);
  const std::string dir_;
  std::mutex mutex_;
  std::map<std::string, std::string> cache_;  // file name -> its JSON; guarded by mutex_
};

}  // namespace pulse::crmd::console
