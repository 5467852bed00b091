// The membership daemon's I/O shell (corosync's transport): UDP on Boost.Asio around the pure
// MembershipNode, with packet authentication, a tick timer, the persistent state file and
// votequorum with the nodeinfo exchange (QuorumExchange).
//
//   receive -> PacketCodec::open (size, header, HMAC, decode)
//           -> sender checks (a configured peer, from its address, a newer frame sequence)
//           -> NodeInfo to QuorumExchange, everything else to the core
//   timer (every `tick`) -> core onTick, QuorumExchange onTick (last_man_standing, resends)
//   core Output -> persist state (if Output::persist) -> sealed frames to peers -> views
//   views -> QuorumExchange (quorum status, NodeInfo to the members) -> callbacks
//
// Invariants:
//  * The PersistentState is durable before any message that depends on it leaves: at start
//    before the first send, and after every Output with persist set. If storing fails, nothing
//    is sent until a later store succeeds (the core retransmits what matters), so a ring seq is
//    never used on the wire before it is on disk.
//  * Every installed view is fed to QuorumExchange in installation order, then reported; so
//    the callbacks see views in the core's order, each with the quorum status it produced.
//    Later changes (a member's NodeInfo, last_man_standing) are reported by onQuorumChanged.
//  * NodeInfo frames are authenticated like every other frame and, like the core's messages,
//    not sent while the persistent state is not durable.
//  * Only authenticated frames whose (authenticated) sender is another configured node reach
//    the core, and only if they come from that node's configured address (the one its
//    frames are sent to; every node binds its own, so a node's frames leave from it) and
//    are newer than every frame accepted from it (ReplayWindow): each frame is delivered at
//    most once, never after a newer one, across every message type including NodeInfo.
//  * Every frame sent carries this run's incarnation and a fresh counter (FrameCounter). The
//    incarnation is durable before the first frame and larger than the previous run's
//    (startingState() in state_file.h), so peers accept the restarted node's frames.
//
// Threading: everything runs on the one io_context given to create(); no threads of its own.
// Callbacks run on that io_context. Not thread-safe: call methods from the io_context's thread
// (or before it runs); lastQuorumContact() alone may be called from any thread. Boost.Asio stays
// out of this header (pimpl); only io_context is named.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "membership/cluster_config.h"
#include "membership/membership_node.h"
#include "membership/packet_auth.h"
#include "membership/quorum.h"
#include "membership/quorum_exchange.h"
#include "membership/result.h"

namespace boost::asio {
class io_context;
}

namespace pulse::membership {

inline constexpr std::uint16_t kDefaultPort = 5405;  // corosync's mcastport

struct ServiceOptions {
  NodeId self = kNoNode;
  ClusterConfig config;  // node list (ring0_addr), cluster_name, token, consensus, quorum
  ClusterKey key;
  std::string state_path;  // PersistentState file; created on first start
  // Default: this node's ring0_addr. Peers drop frames from any other source address
  // (wrong_source), so another address only suits tests that point peers at it.
  std::string bind_address;
  std::uint16_t port = kDefaultPort;  // this node's port, and every peer's unless overridden
  std::optional<Timing> timing;       // default: config token and consensus, heartbeat token/4
  std::chrono::milliseconds tick{20};
  // The longest sleep while the view is settled (MembershipNode::gathering() false): then the
  // timer wakes when the protocol has work (MembershipNode::nextDue(), QuorumExchange::nextDue():
  // a heartbeat, a ring neighbour's token running out, a resend), not every tick. Zero or not
  // above `tick`: tick always.
  std::chrono::milliseconds settled_tick{0};
  // Where notes about dropped replayed or wrongly sourced frames go (crmd: its log); rate
  // limited to one line per kind every kDropLogInterval. None: not logged (still counted).
  std::function<void(const std::string&)> log;
  // lastQuorumContact() feeds a watchdog: every member must heartbeat this node directly
  // (NodeOptions::direct). Without it a settled view heartbeats only along its ring, and
  // lastQuorumContact() means nothing.
  bool quorum_contact = false;
};

inline constexpr std::chrono::seconds kDropLogInterval{10};

// What crmd hears: the view just installed and the quorum status it gave.
struct ViewChanged {
  View view;
  QuorumStatus quorum;
  // Each member's incarnation (0 if unknown): a member whose incarnation changed restarted,
  // even when the member list is the same as before.
  std::map<NodeId, std::uint64_t> incarnations;
  // Each member of the previous view that this view lost: how long it had been silent (no
  // message from it) when this view was installed, i.e. how long its loss took to detect.
  std::map<NodeId, Duration> lost_silence;
};

// Transport statistics beyond the packet counters.
struct ServiceStats {
  PacketCounters packets;
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;     // socket refused a datagram (peer unresolvable, EAGAIN...)
  std::uint64_t persist_errors = 0;  // state file could not be stored; sends were held back
  std::uint64_t receive_errors = 0;
};

class MembershipService {
 public:
  // Validates the options (self in the node list, key size, quorum config), loads the state
  // file, stores the new incarnation (an error if it cannot: see startingState()), resolves peer
  // addresses and binds the socket (port 0 picks a free port; see localPort()). Nothing is sent or
  // received until start().
  static Result<std::unique_ptr<MembershipService>> create(boost::asio::io_context& io,
                                                           ServiceOptions options);
  ~MembershipService();
  MembershipService(const MembershipService&) = delete;
  MembershipService& operator=(const MembershipService&) = delete;

  // Where frames for `node` go (default: its ring0_addr and options.port). Tests with several
  // services on one address use it after create() to point at ports chosen by the kernel.
  Status setPeerEndpoint(NodeId node, const std::string& address, std::uint16_t port);

  void onViewChanged(std::function<void(const ViewChanged&)> callback);
  // Called whenever the quorum status changes (at a view, at a member's NodeInfo, or when
  // last_man_standing fires).
  void onQuorumChanged(std::function<void(const QuorumStatus&)> callback);

  // Starts receiving and the tick timer.
  void start();
  // Closes the socket and cancels the timer; the node falls silent (its peers will see it lost
  // after the token timeout). Pending handlers complete harmlessly. Not restartable.
  void stop();

  NodeId self() const;
  std::uint16_t localPort() const;
  // The IP address each configured node is reached at (this node: the address it is bound to),
  // as corosync shows ring addresses: resolved, not the host name. Peers change only through
  // setPeerEndpoint, so read it after create() and setPeerEndpoint, before start().
  std::map<NodeId, std::string> addresses() const;
  const std::optional<View>& view() const;
  QuorumStatus quorum() const;
  PersistentState persistentState() const;
  ServiceStats stats() const;

  // The instant of the latest evidence that a quorum of the cluster hears this node
  // (quorum_contact.h), refreshed at every received message and tick; time_point::min() when
  // there is none. Contact is fresh while now - lastQuorumContact() < quorumContactWindow().
  // Thread-safe (an atomic): the watchdog feeder reads it from another io_context.
  std::chrono::steady_clock::time_point lastQuorumContact() const;
  std::chrono::milliseconds quorumContactWindow() const;

  // corosync-quorumtool -e on this node: see QuorumExchange::setExpectedVotes. The new state
  // is announced to the members at once; onQuorumChanged fires if the status changed.
  Status setExpectedVotes(std::uint32_t expected_votes);

 private:
  struct Impl;
  explicit MembershipService(std::shared_ptr<Impl> impl);
  // Shared with the pending Asio handlers, so that a handler completing after the service is
  // destroyed (but before the io_context drops it) still finds valid memory.
  std::shared_ptr<Impl> impl_;
};

}  // namespace pulse::membership
