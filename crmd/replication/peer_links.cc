#include "crmd/replication/peer_links.h"

#include <grpcpp/grpcpp.h>
#include <pthread.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "common/idle_memory.h"
#include "common/log.h"
#include "crmd/client/known_hosts.h"
#include "crmd/client/pinned_channel.h"
#include "peer.grpc.pb.h"

namespace pulse::crmd {
namespace {

// A channel unused this long is closed: replication is bursty (a sync, a write), and 31 idle
// TLS connections held open by a DC cost it about 10 MB and measurable idle CPU (32-node
// benchmark). Reconnecting costs one handshake on the next burst.
constexpr std::chrono::seconds kIdleClose{2};

}  // namespace

struct PeerLinks::Link {
  Link(std::string known_hosts, std::string token_value, std::string peer_name,
       std::chrono::milliseconds call_timeout, std::size_t queue_limit)
      : max_queued(queue_limit),
        known_hosts_path(std::move(known_hosts)),
        token(std::move(token_value)),
        name(std::move(peer_name)),
        timeout(call_timeout),
        thread([this] { run(); }) {}

  ~Link() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    thread.join();
  }

  void push(peer::PeerEnvelope envelope) {
    {
      std::lock_guard lock(mutex);
      if (queue.size() >= max_queued) queue.pop_front();
      queue.push_back(std::move(envelope));
    }
    wake.notify_all();
  }

  void run() {
    pthread_setname_np(pthread_self(), "peer-link");
    for (;;) {
      peer::PeerEnvelope next;
      {
        std::unique_lock lock(mutex);
        auto ready = [this] { return stopping || !queue.empty(); };
        // Only an open channel, or a trim to come, needs the timer; otherwise the thread sleeps
        // until there is something to send (a DC has two links per member: 62 timers at 32
        // nodes would wake it 31 times a second for nothing). `stub` and `trim_due` are this
        // thread's own.
        const bool woken = stub || trim_due ? wake.wait_for(lock, kIdleClose, ready)
                                            : (wake.wait(lock, ready), true);
        if (stopping) return;
        if (!woken) {
          lock.unlock();
          if (stub) {
            closeIdle();
          } else {
            trim_due = false;
            releaseIdleMemory();  // the closed connection's buffers, freed by now, go back
          }
          continue;
        }
        next = std::move(queue.front());
        queue.pop_front();
      }
      deliver(next);
    }
  }

  // One call; on failure the channel is dropped so the next message reconnects (the peer may
  // have restarted with the same pinned identity, or come back after a partition).
  void deliver(const peer::PeerEnvelope& envelope) {
    if (!stub && !connect()) return;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + timeout);
    context.AddMetadata("authorization", "Peer " + token);
    peer::DeliverReply reply;
    const grpc::Status status = stub->Deliver(&context, envelope, &reply);
    if (!status.ok()) {
      if (connected_once) logEvent("peer " + name + ": " + status.error_message());
      stub.reset();
      connected_once = false;
    }
  }

  // gRPC tears a channel down on its own threads after the last reference goes, so its
  // buffers are freed a moment after this returns: the trim that gives them back to the system
  // comes one idle period later (trim_due), not here, where it would find little to return.
  void closeIdle() {
    stub.reset();
    connected_once = false;
    trim_due = true;
  }

  bool connect() {
    auto hosts = loadKnownHosts(known_hosts_path);
    if (!hosts) return false;
    for (const KnownHost& host : *hosts) {
      if (host.node != name) continue;
      auto address = parseNodeAddress(host.address);
      if (!address) return false;
      auto channel = openPinnedChannel(
          *address, host.fingerprint,
          std::chrono::duration_cast<std::chrono::seconds>(timeout) + std::chrono::seconds(1));
      if (!channel) return false;
      stub = peer::Peer::NewStub(*channel);
      connected_once = true;
      return true;
    }
    return false;
  }

  const std::size_t max_queued;
  const std::string known_hosts_path;
  const std::string token;
  const std::string name;
  const std::chrono::milliseconds timeout;
  std::unique_ptr<peer::Peer::Stub> stub;  // sender thread only
  bool connected_once = false;             // sender thread only
  bool trim_due = false;                   // sender thread only: a channel was closed
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<peer::PeerEnvelope> queue;  // guarded by mutex
  bool stopping = false;                 // guarded by mutex
  std::thread thread;                    // last: starts after every other member is ready
};

PeerLinks::PeerLinks(std::string known_hosts_path, std::string token,
                     std::map<NodeId, std::string> peers, std::chrono::milliseconds timeout,
                     std::size_t max_queued) {
  for (const auto& [id, name] : peers) {
    links_[id] = std::make_unique<Link>(known_hosts_path, token, name, timeout, max_queued);
  }
}

PeerLinks::~PeerLinks() = default;

void PeerLinks::send(NodeId to, peer::PeerEnvelope envelope) {
  auto it = links_.find(to);
  if (it != links_.end()) it->second->push(std::move(envelope));
}

}  // namespace pulse::crmd
