// The node's CIB service: the shell around the pure CibReplica (cib_replica.h). It loads and
// persists the CIB with the CibStore, carries replication messages to the peers (PeerLinks)
// and from them (deliver()), feeds the membership's views, ticks the replica, and answers the
// admin API's reads and writes.
//
// Invariants:
//  * Every CibOutput is carried out in order: the CIB is durable on disk before any message or
//    reply that vouches for it leaves (CibReplica's contract).
//  * The CIB text on disk and in every read carries the version attributes of its stamp: the
//    replica versions copies, the shell writes the numbers into the <cib> element.
//  * A copy whose save fails (EIO, ENOSPC) is never vouched for: nothing is sent, the writer
//    is answered with the store's error (kNotStored), and the copy on disk stays in force.
//  * Listeners are called through the io_context (posted), never from inside a call that is
//    carrying out an output, in the order of the changes.
//  * A CIB that failed its checksum or does not parse is never used: the store keeps it aside
//    and this node starts from the empty initial CIB (version 0.0.0), so the cluster's copy
//    wins at the DC's sync.
//  * Each copy is parsed once (ParsedCib, when it is first persisted); the store, the events
//    and the reads share that document and its text. No timer or heartbeat parses the CIB.
//
// Threading: the replica lives on the io_context given to create() (crmd's cluster worker, not
// the membership's: saving a CIB blocks on fsync), so views and messages reach it in order.
// onViewChanged() must be called on that thread; deliver(), submit() and read() may be called from
// any thread (gRPC handlers).
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "common/file_io.h"
#include "common/result.h"
#include "crmd/cib/parsed_cib.h"
#include "crmd/replication/cib_replica.h"
#include "membership/cluster_config.h"
#include "peer.pb.h"

namespace boost::asio {
class io_context;
}

namespace pulse::crmd {

struct CibServiceOptions {
  std::string state_dir;
  NodeId self = membership::kNoNode;
  membership::ClusterConfig config;
  std::string peer_token;     // this node's own peer secret (peer_auth.h)
  FileIo* file_io = nullptr;  // the store's file operations; null: the real file system
};

// What a reader gets: this node's copy (with its stamp), and who is DC.
struct CibSnapshot {
  StoredCib cib;
  std::optional<NodeId> dc;
  bool is_dc = false;
  bool ready = false;  // this node is the DC and has finished its sync
  // Filled in by the cluster manager: this node is the DC and its controller has nothing
  // running, pending or left to schedule on exactly this copy.
  bool transition_idle = false;
  // The copy is the cluster's copy of the installed view (CibReplica::current()): not a
  // rejoining node's old copy that the DC's sync has yet to replace.
  bool current = false;
};

// What the resource manager hears after every change, on the io thread.
// The copies are shared parsed documents (parsed_cib.h), made once per copy; null when a copy
// does not parse (never the case for a copy the replica persisted).
struct CibEvent {
  CibRef local;              // this node's persisted copy (the DC's may hold a write in flight)
  std::optional<NodeId> dc;  // the DC of the installed view
  bool dc_ready = false;     // this node is the DC and has finished its sync
  CibRef confirmed;          // DC: this copy just became durable on every member
};

// The CIB a new cluster starts from: the nodes of the config, nothing else, version 0.0.0.
// Every node computes the same text, so fresh nodes agree without a message.
std::string initialCib(const membership::ClusterConfig& config);

class CibService {
 public:
  static Result<std::unique_ptr<CibService>> create(boost::asio::io_context& io,
                                                    CibServiceOptions options);
  ~CibService();
  CibService(const CibService&) = delete;
  CibService& operator=(const CibService&) = delete;

  void onViewChanged(const membership::View& view, bool quorate);  // io thread
  void deliver(const peer::PeerEnvelope& envelope);                // any thread
  std::future<WriteReply> submit(CibChange change);                // any thread
  // The same for a caller on the io thread: `done` is called there with the reply.
  void submit(CibChange change, std::function<void(WriteReply)> done);
  // Called on the io thread after every change of the copy, the DC or the readiness.
  void setListener(std::function<void(const CibEvent&)> listener);
  // This node's newest durable copy and who is DC, at once: a read never waits for the io
  // thread, where a write's store (fsync) may take seconds on a slow disk. A copy is readable
  // once it is stored and before any reply for it is given, so a writer reads its own write.
  CibSnapshot read() const;
  // Stops the tick timer; call on the io thread before the io_context stops.
  void stop();

 private:
  struct Impl;
  explicit CibService(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace pulse::crmd
