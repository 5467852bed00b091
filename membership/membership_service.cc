#include "membership/membership_service.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <iterator>
#include <memory>
#include <random>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/invariants.h"
#include "common/test_faults.h"
#include "membership/replay_window.h"
#include "membership/state_file.h"

namespace pulse::membership {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

// Numeric addresses directly; host names through the resolver (blocking, at create() only).
Result<udp::endpoint> resolveEndpoint(asio::io_context& io, const std::string& address,
                                      std::uint16_t port) {
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address, ec);
  if (!ec) return udp::endpoint(ip, port);
  udp::resolver resolver(io);
  auto results = resolver.resolve(address, std::to_string(port), ec);
  if (ec || results.empty()) {
    return Error{"cannot resolve '" + address + "': " + (ec ? ec.message() : "no address")};
  }
  return results.begin()->endpoint();
}

// One byte more than any UDP payload, so that no datagram is cut silently: anything longer
// than kMaxFrameSize is seen whole and counted as oversized.
constexpr std::size_t kReceiveBufferSize = 64 * 1024 + 1;

// The same host, whatever the spelling: an IPv4-mapped IPv6 address is its IPv4 address, and
// an IPv6 scope id (which interface received it) is not part of the host's address.
bool sameHost(const asio::ip::address& a, const asio::ip::address& b) {
  auto plain = [](const asio::ip::address& x) -> asio::ip::address {
    if (x.is_v6() && x.to_v6().is_v4_mapped()) {
      return asio::ip::make_address_v4(asio::ip::v4_mapped, x.to_v6());
    }
    if (x.is_v6()) return asio::ip::address_v6(x.to_v6().to_bytes());
    return x;
  };
  return plain(a) == plain(b);
}

std::string_view typeName(const Message& m) {
  constexpr std::string_view kNames[] = {"heartbeat", "propose", "ack", "commit", "nodeinfo"};
  static_assert(std::size(kNames) == std::variant_size_v<decltype(m.body)>);
  return kNames[m.body.index()];
}

std::string text(FrameSequence s) {
  return "incarnation " + std::to_string(s.incarnation) + " counter " + std::to_string(s.counter);
}

// A rate-limited log line for one kind of drop (see ServiceOptions::log).
class DropNotes {
 public:
  explicit DropNotes(DropReason reason) : reason_(reason) {}

  void record(std::string what) {
    limit_.record();
    latest_ = std::move(what);
  }
  void flush(TimePoint now, const PacketCounters& counters,
             const std::function<void(const std::string&)>& log) {
    const std::uint64_t n = limit_.take(now);
    if (n == 0 || !log) return;
    const std::string name(toString(reason_));
    log("membership: dropped " + std::to_string(n) + " " + name + " frame(s) (latest: " + latest_ +
        "); stats.pulse.rx.dropped." + name + " = " + std::to_string(counters.droppedFor(reason_)));
  }

 private:
  DropReason reason_;
  DropLog limit_{kDropLogInterval};
  std::string latest_;  // what the latest drop was, for the next line
};

}  // namespace

struct MembershipService::Impl : std::enable_shared_from_this<Impl>, Transport {
  Impl(asio::io_context& io_context, ServiceOptions opts, Timing t, PacketCodec c, QuorumExchange q)
      : io(io_context),
        socket(io_context),
        timer(io_context),
        options(std::move(opts)),
        timing(t),
        codec(std::move(c)),
        quorum(std::move(q)),
        buffer(kReceiveBufferSize) {}

  // Transport: seal and send; a datagram the socket refuses is lost, like one the network
  // drops, and the protocol's retransmissions cover it.
  void send(NodeId to, const Bytes& bytes) override {
    auto it = peers.find(to);
    if (it == peers.end()) {
      ++stats.send_errors;
      return;
    }
    sendTo(it->second, codec.seal(bytes, frames->next()));
  }
  void broadcast(const Bytes& bytes) override {
    Bytes frame = codec.seal(bytes, frames->next());
    for (const auto& [id, endpoint] : peers) sendTo(endpoint, frame);
  }
  void sendTo(const udp::endpoint& endpoint, const Bytes& frame) {
    if (stopped) return;
    const TestFaults faults = currentTestFaults();
    const int copies = duplicated(faults) ? 2 : 1;
    for (int copy = 0; copy < copies; ++copy) {
      if (faults.delaysPackets()) {
        sendLater(endpoint, frame, faults);
      } else {
        sendNow(endpoint, frame);
      }
    }
  }

  // The fault lab's slow or echoing network (common/test_faults.h): never without its hook.
  bool duplicated(const TestFaults& faults) {
    if (faults.packet_duplicate_percent <= 0) return false;
    return std::uniform_int_distribution<int>(1, 100)(fault_rng) <= faults.packet_duplicate_percent;
  }
  void sendLater(const udp::endpoint& endpoint, const Bytes& frame, const TestFaults& faults) {
    std::int64_t ms = faults.packet_delay_ms;
    if (faults.packet_jitter_ms > 0) {
      ms += std::uniform_int_distribution<std::int64_t>(0, faults.packet_jitter_ms)(fault_rng);
    }
    auto late = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(ms));
    late->async_wait(
        [self = shared_from_this(), late, endpoint, frame](boost::system::error_code ec) {
          if (!ec && !self->stopped) self->sendNow(endpoint, frame);
        });
  }

  void sendNow(const udp::endpoint& endpoint, const Bytes& frame) {
    boost::system::error_code ec;
    socket.send_to(asio::buffer(frame), endpoint, 0, ec);
    if (ec) {
      ++stats.send_errors;
    } else {
      ++stats.sent;
    }
  }

  void refreshContact(TimePoint now) {
    auto last = node->quorumContact().lastContact(quorum.status().quorum, now);
    last_contact.store((last ? *last : TimePoint::min()).time_since_epoch().count(),
                       std::memory_order_relaxed);
  }

  void handle(const Output& out, TimePoint now) {
    refreshContact(now);
    if (out.persist) persist_pending = true;
    if (persist_pending) {
      if (storePersistentState(options.state_path, node->persistentState())) {
        persist_pending = false;
      } else {
        ++stats.persist_errors;
      }
    }
    // Hold every message back while the state is not durable (see the header's invariant).
    if (!persist_pending) dispatch(out, *this);
    for (const View& view : out.installed) {
      QuorumUpdate update = quorum.onViewInstalled(view, now);
      sendQuorumMessages(update);
      checkAfterEvent(quorum, "quorum exchange");
      if (view_callback) {
        ViewChanged change{view, update.status, {}, {}};
        for (NodeId member : view.members)
          change.incarnations[member] = node->incarnationOf(member);
        for (NodeId member : previous_members) {
          const TimePoint heard = node->lastHeard(member);
          if (member == options.self || view.contains(member) || heard == TimePoint::min())
            continue;
          change.lost_silence[member] =
              std::max(Duration::zero(), std::chrono::duration_cast<Duration>(now - heard));
        }
        view_callback(change);
      }
      reportQuorum(update.status);
      previous_members = view.members;
    }
  }

  // NodeInfo names the installed ring, whose seq may not be durable yet either: held back
  // like the core's messages; QuorumExchange resends it periodically.
  void sendQuorumMessages(const QuorumUpdate& update) {
    if (persist_pending) return;
    for (const Outgoing& m : update.messages) send(m.to, m.bytes);
  }

  void handleQuorum(const QuorumUpdate& update) {
    checkAfterEvent(quorum, "quorum exchange");  // and its Votequorum
    sendQuorumMessages(update);
    reportQuorum(update.status);
  }

  void reportQuorum(const QuorumStatus& status) {
    if (status == last_quorum) return;
    last_quorum = status;
    if (quorum_callback) quorum_callback(status);
  }

  void receive() {
    if (stopped) return;
    socket.async_receive_from(
        asio::buffer(buffer), from,
        [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          self->onReceive(ec, n);
        });
  }

  void onReceive(boost::system::error_code ec, std::size_t n) {
    if (stopped || ec == asio::error::operation_aborted) return;
    if (ec) {
      // ICMP port unreachable from a peer that is down shows up here as connection_refused on
      // Linux; it is not fatal, keep listening.
      ++stats.receive_errors;
    } else {
      onDatagram(std::span<const std::uint8_t>(buffer.data(), n));
    }
    receive();
  }

  void onDatagram(std::span<const std::uint8_t> datagram) {
    auto opened = codec.open(datagram);
    auto* frame = std::get_if<OpenedFrame>(&opened);
    if (frame == nullptr) return;  // counted by open()
    const NodeId sender = frame->message.sender;
    const auto peer = peers.find(sender);
    if (sender == options.self || peer == peers.end()) {
      codec.counters().reject(DropReason::kUnknownPeer);
      return;
    }
    const TimePoint now = Clock::now();
    auto describe = [&] {
      return std::string(typeName(frame->message)) + " claiming node " + std::to_string(sender) +
             " from " + from.address().to_string() + ":" + std::to_string(from.port()) + ", " +
             text(frame->sequence);
    };
    // The sender field is authenticated by the tag, but a captured frame can be resent from
    // anywhere: a frame must also come from the address its sender's frames are sent to
    // (the port is not compared: a NAT or an attacker on the node's own address may change
    // it, and the sequence check below covers the latter).
    if (!sameHost(from.address(), peer->second.address())) {
      codec.counters().reject(DropReason::kWrongSource);
      source_notes.record(describe() + ", expected from " + peer->second.address().to_string());
      source_notes.flush(now, codec.counters(), options.log);
      return;
    }
    if (!replay.accept(sender, frame->sequence)) {
      codec.counters().reject(DropReason::kReplayed);
      const auto newest = replay.newest(sender);
      replay_notes.record(describe() + ", newest accepted " + (newest ? text(*newest) : "none"));
      replay_notes.flush(now, codec.counters(), options.log);
      return;
    }
    if (std::holds_alternative<NodeInfo>(frame->message.body)) {
      handleQuorum(quorum.onMessage(sender, frame->message, now));
    } else {
      handle(node->onMessage(sender, frame->message, now), now);
    }
    // A message that started a gather: its rounds and deadlines need the fine tick now; one
    // that deferred an ack may be due before the next tick (nextLoss()). (A handler that
    // already fired runs anyway and re-arms the timer: one chain remains.)
    if (started && node->gathering() && (!fast_tick || node->nextLoss(now) < timer.expiry())) {
      timer.cancel();
      scheduleTick();
    }
  }

  void scheduleTick() {
    if (stopped) return;
    fast_tick = node->gathering() || options.settled_tick <= options.tick;
    if (fast_tick) {
      const TimePoint now = Clock::now();
      const TimePoint due = std::min(now + options.tick, node->nextLoss(now));
      timer.expires_after(std::max<Clock::duration>(due - now, std::chrono::milliseconds(1)));
    } else {
      // Settled: sleep until the protocol has work, at most settled_tick.
      const TimePoint now = Clock::now();
      TimePoint due = std::min(node->nextDue(now), now + options.settled_tick);
      if (auto q = quorum.nextDue()) due = std::min(due, *q);
      timer.expires_after(std::max<Clock::duration>(due - now, std::chrono::milliseconds(1)));
    }
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopped) return;
      self->onTick();
    });
  }

  void onTick() {
    const TimePoint now = Clock::now();
    handle(node->onTick(now), now);
    handleQuorum(quorum.onTick(now));
    refreshContact(now);
    // Drops that arrived while the limit held their line back are reported once it allows.
    replay_notes.flush(now, codec.counters(), options.log);
    source_notes.flush(now, codec.counters(), options.log);
    scheduleTick();
  }

  void stop() {
    if (stopped) return;
    stopped = true;
    timer.cancel();
    boost::system::error_code ignored;
    socket.close(ignored);
  }

  asio::io_context& io;
  udp::socket socket;
  asio::steady_timer timer;
  ServiceOptions options;
  Timing timing;
  PacketCodec codec;
  QuorumExchange quorum;
  std::optional<MembershipNode> node;  // set by create(); always present afterwards
  std::optional<FrameCounter> frames;  // set by create() with the node's incarnation
  ReplayWindow replay;                 // what was accepted from each peer, this run
  DropNotes replay_notes{DropReason::kReplayed};
  DropNotes source_notes{DropReason::kWrongSource};
  std::map<NodeId, udp::endpoint> peers;  // every configured node but self
  std::vector<std::uint8_t> buffer;
  udp::endpoint from;
  bool started = false;
  bool stopped = false;
  std::minstd_rand fault_rng{std::random_device{}()};  // only with the test hook
  bool persist_pending = false;
  bool fast_tick = true;  // the timer runs at options.tick, else at options.settled_tick
  ServiceStats stats;
  std::atomic<Clock::rep> last_contact{TimePoint::min().time_since_epoch().count()};
  QuorumStatus last_quorum;
  std::function<void(const ViewChanged&)> view_callback;
  std::vector<NodeId> previous_members;  // of the view installed last (for lost_silence)
  std::function<void(const QuorumStatus&)> quorum_callback;
};

Result<std::unique_ptr<MembershipService>> MembershipService::create(asio::io_context& io,
                                                                     ServiceOptions options) {
  const ClusterConfig& config = options.config;
  const ClusterNode* me = config.findNode(options.self);
  if (me == nullptr) {
    return Error{"node " + std::to_string(options.self) + " is not in the cluster config"};
  }
  if (options.state_path.empty()) return Error{"no membership state file given"};
  if (options.tick <= std::chrono::milliseconds(0)) return Error{"tick must be positive"};
  Timing timing = options.timing ? *options.timing : Timing::fromToken(config.token);
  if (!options.timing) timing.consensus = config.effectiveConsensus();
  auto codec = PacketCodec::create(options.key, config.cluster_name);
  if (!codec) return codec.error();
  auto quorum = QuorumExchange::create(options.self, config.quorumConfig(), timing);
  if (!quorum) return Error{"quorum: " + quorum.error().message};

  auto impl = std::make_shared<Impl>(io, std::move(options), timing, std::move(codec).value(),
                                     std::move(quorum).value());
  const ServiceOptions& opts = impl->options;
  for (const ClusterNode& n : opts.config.nodes) {
    if (n.id == opts.self) continue;
    auto endpoint = resolveEndpoint(io, n.address, opts.port);
    if (!endpoint) return Error{"node " + std::to_string(n.id) + ": " + endpoint.error().message};
    impl->peers[n.id] = *endpoint;
  }
  const std::string bind_address = opts.bind_address.empty() ? me->address : opts.bind_address;
  auto local = resolveEndpoint(io, bind_address, opts.port);
  if (!local) return Error{"bind address: " + local.error().message};

  auto persisted = loadPersistentState(opts.state_path);
  if (!persisted) return persisted.error();
  NodeOptions node_options;
  node_options.direct = opts.quorum_contact;
  for (const ClusterNode& n : opts.config.nodes) node_options.nodes.push_back(n.id);
  impl->node.emplace(opts.self, timing, startingState(*persisted, std::chrono::system_clock::now()),
                     Clock::now(), std::move(node_options));
  impl->frames.emplace(impl->node->persistentState().incarnation);
  // The new incarnation must be on disk before the first frame carries it.
  if (Status s = storePersistentState(opts.state_path, impl->node->persistentState()); !s) {
    return s.error();
  }

  boost::system::error_code ec;
  impl->socket.open(local->protocol(), ec);
  if (!ec) impl->socket.bind(*local, ec);
  // Non-blocking sends: a full socket buffer drops the datagram instead of stalling the loop.
  if (!ec) impl->socket.non_blocking(true, ec);
  if (ec) {
    return Error{"cannot bind " + bind_address + ":" + std::to_string(opts.port) + ": " +
                 ec.message()};
  }
  impl->last_quorum = impl->quorum.status();
  return std::unique_ptr<MembershipService>(new MembershipService(std::move(impl)));
}

MembershipService::MembershipService(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

MembershipService::~MembershipService() { impl_->stop(); }

Status MembershipService::setPeerEndpoint(NodeId node, const std::string& address,
                                          std::uint16_t port) {
  auto it = impl_->peers.find(node);
  if (it == impl_->peers.end()) {
    return Error{"node " + std::to_string(node) + " is not a peer of this node"};
  }
  auto endpoint = resolveEndpoint(impl_->io, address, port);
  if (!endpoint) return endpoint.error();
  it->second = *endpoint;
  return {};
}

void MembershipService::onViewChanged(std::function<void(const ViewChanged&)> callback) {
  impl_->view_callback = std::move(callback);
}

void MembershipService::onQuorumChanged(std::function<void(const QuorumStatus&)> callback) {
  impl_->quorum_callback = std::move(callback);
}

void MembershipService::start() {
  if (impl_->started || impl_->stopped) return;
  impl_->started = true;
  impl_->receive();
  // The first tick at once: it sends the first heartbeat.
  asio::post(impl_->io, [self = impl_] {
    if (!self->stopped) self->onTick();
  });
}

void MembershipService::stop() { impl_->stop(); }

NodeId MembershipService::self() const { return impl_->options.self; }

std::map<NodeId, std::string> MembershipService::addresses() const {
  std::map<NodeId, std::string> out;
  for (const auto& [id, endpoint] : impl_->peers) out[id] = endpoint.address().to_string();
  boost::system::error_code ec;
  auto local = impl_->socket.local_endpoint(ec);
  if (!ec && !local.address().is_unspecified()) {
    out[impl_->options.self] = local.address().to_string();
  }
  return out;
}

std::uint16_t MembershipService::localPort() const {
  boost::system::error_code ec;
  auto endpoint = impl_->socket.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

const std::optional<View>& MembershipService::view() const { return impl_->node->view(); }

QuorumStatus MembershipService::quorum() const { return impl_->quorum.status(); }

Status MembershipService::setExpectedVotes(std::uint32_t expected_votes) {
  auto update = impl_->quorum.setExpectedVotes(expected_votes, Clock::now());
  if (!update) return update.error();
  impl_->handleQuorum(*update);
  return {};
}

std::chrono::steady_clock::time_point MembershipService::lastQuorumContact() const {
  return TimePoint(Clock::duration(impl_->last_contact.load(std::memory_order_relaxed)));
}

std::chrono::milliseconds MembershipService::quorumContactWindow() const {
  return impl_->node->quorumContact().window();
}

PersistentState MembershipService::persistentState() const {
  return impl_->node->persistentState();
}

ServiceStats MembershipService::stats() const {
  ServiceStats s = impl_->stats;
  s.packets = impl_->codec.counters();
  return s;
}

}  // namespace pulse::membership
