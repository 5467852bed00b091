#include "crmd/replication/cib_service.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <charconv>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

#include "common/idle_memory.h"
#include "common/invariants.h"
#include "common/log.h"
#include "crmd/cib/cib_store.h"
#include "crmd/client/known_hosts.h"
#include "crmd/metrics/runtime_stats.h"
#include "crmd/replication/cib_wire.h"
#include "crmd/replication/peer_links.h"

namespace pulse::crmd {
namespace asio = boost::asio;
namespace {

// The replica resends unanswered messages every 100 ms; ticking faster buys nothing.
constexpr std::chrono::milliseconds kTick{100};
// With nothing to resend the tick has no work: an idle daemon wakes up once a second for it
// instead of ten times (idle CPU). It speeds up as soon as something is pending (retune()).
constexpr std::chrono::milliseconds kIdleTick{1000};
constexpr std::string_view kSealedMark = "<!-- pulse-sealed-in ";
// Parsed copies remembered (CibService::Impl::parsed_copies).
constexpr std::size_t kParsedKept = 4;

// The ring that sealed a copy lives in a comment after the CIB (inside the store's checksum),
// not in an attribute: Pacemaker's schema would refuse an unknown <cib> attribute, and the
// exported CIB must stay a valid Pacemaker CIB.
std::string sealedMark(const std::string& text, const RingId& sealed) {
  return (text.ends_with("\n") ? "" : "\n") + std::string(kSealedMark) +
         std::to_string(sealed.seq) + "." + std::to_string(sealed.representative) + " -->\n";
}

std::pair<std::string, RingId> splitSealedMark(const std::string& text) {
  const std::size_t at = text.rfind(kSealedMark);
  if (at == std::string::npos) return {text, RingId{}};
  RingId ring;
  const char* p = text.data() + at + kSealedMark.size();
  const char* end = text.data() + text.size();
  auto [after_seq, ec1] = std::from_chars(p, end, ring.seq);
  if (ec1 == std::errc() && after_seq < end && *after_seq == '.') {
    std::from_chars(after_seq + 1, end, ring.representative);
  }
  return {text.substr(0, at), ring};
}

}  // namespace

std::string initialCib(const membership::ClusterConfig& config) {
  std::string nodes;
  for (const membership::ClusterNode& node : config.nodes) {
    nodes += "      <node id=\"" + std::to_string(node.id) + "\" uname=\"" + node.name + "\"/>\n";
  }
  return "<cib admin_epoch=\"0\" epoch=\"0\" num_updates=\"0\" validate-with=\"pacemaker-3.9\" "
         "crm_feature_set=\"3.16.1\">\n  <configuration>\n    <crm_config/>\n    <nodes>\n" +
         nodes +
         "    </nodes>\n    <resources/>\n    <constraints/>\n  </configuration>\n"
         "  <status/>\n</cib>\n";
}

struct CibService::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io_context, CibServiceOptions opts, StoredCib persisted,
       std::map<NodeId, std::string> peers)
      : io(io_context),
        timer(io_context),
        options(std::move(opts)),
        store(
            options.state_dir, [](const std::string& line) { logEvent("cib: " + line); }, {},
            options.file_io != nullptr ? *options.file_io : posixFileIo()),
        on_disk(persisted),
        replica(options.self, std::move(persisted)),
        links(crmd::clusterHostsPath(options.state_dir), options.peer_token, std::move(peers)) {}

  // CibReplica's contract: persist, then send, then reply. A copy that cannot be stored must
  // not be vouched for: then no message leaves, no ok reply or confirmation for it is given, and
  // the replica goes back to the copy still on disk (onPersistFailed), which fails the write
  // with the store's error. Nothing acknowledged can be lost: an ok reply for a copy is only
  // delivered after that copy's save returned success.
  void carryOut(CibOutput out) {
    checkAfterEvent(replica, "CIB replica");
    if (out.persist) {
      const CibRef parsed = parsedCopy(*out.persist);
      if (!parsed) {
        persistFailed(std::move(out), "it does not parse");
        return;
      }
      const auto started = std::chrono::steady_clock::now();
      if (Status s = store.save(*parsed, sealedMark(parsed->text(), out.persist->sealed_in)); !s) {
        persistFailed(std::move(out), s.error().message);
        return;
      }
      metrics::runtimeStats().cib_writes.observe(std::chrono::steady_clock::now() - started);
      on_disk = *out.persist;
      logEvent("cib: stored version " + toString(out.persist->version));
    }
    publish();
    for (const CibOutgoing& m : out.messages) {
      links.send(m.to, toEnvelope(options.self, m.message));
    }
    for (WriteReply& reply : out.replies) answer(std::move(reply));
    notify(out);
    retune();
  }

  // Something to resend while the timer ticks slowly: tick fast from now on. (A handler that
  // already fired runs anyway and re-arms the timer, cancelling this wait: one chain remains.)
  void retune() {
    if (fast_tick || stopped || !replica.resendPending()) return;
    timer.cancel();
    scheduleTick();
  }

  void persistFailed(CibOutput out, const std::string& why) {
    const CibVersion lost = out.persist->version;
    logEvent("cib: cannot store version " + toString(lost) + ": " + why +
             " (nothing sent; version " + toString(on_disk.version) + " stays in force)");
    // Replies for older copies (already durable) and refusals stand. An ok reply for the copy
    // that was not stored (a one-node cluster acknowledges in the same output) becomes a
    // failure: the write was not applied.
    for (WriteReply& reply : out.replies) {
      if (reply.result && on_disk.version < *reply.result) {
        reply = WriteReply{
            reply.id,
            Error{"node " + std::to_string(options.self) + " could not store the new CIB: " + why +
                  "; the write was not applied"},
            WriteFailure::kNotStored, options.self};
      }
      answer(std::move(reply));
    }
    carryOut(replica.onPersistFailed(on_disk, why, std::chrono::steady_clock::now()));
  }

  void answer(WriteReply reply) {
    auto it = pending.find(reply.id);
    if (it == pending.end()) return;
    auto done = std::move(it->second);
    pending.erase(it);
    done(std::move(reply));
  }

  // The snapshot read() returns, made anew only when the copy, the DC or the readiness
  // changed (a tick must not copy a large CIB). Called once the replica's copy is durable.
  void publish() {
    const StoredCib& copy = replica.cib();
    const CibStamp stamp = stampOf(copy);
    const std::optional<NodeId> dc = replica.dc();
    const bool is_dc = replica.isDc(), ready = replica.ready(), current = replica.current();
    {
      std::lock_guard lock(published_mutex);
      if (published && published_stamp == stamp && published->dc == dc &&
          published->is_dc == is_dc && published->ready == ready && published->current == current)
        return;
    }
    const CibRef cib = parsedCopy(copy);
    // A copy that does not parse is never persisted or used; readers see its text as it is.
    auto snapshot = std::make_shared<const CibSnapshot>(
        CibSnapshot{cib ? cib->stored() : copy, dc, is_dc, ready, false, current});
    std::lock_guard lock(published_mutex);
    published = std::move(snapshot);
    published_stamp = stamp;
  }

  // Listeners hear of a change through the io_context, after the call that made it returns:
  // a listener may submit a write (the controller does), and that must not re-enter carryOut()
  // in the middle of carrying out another output. Events are posted in the order of the
  // changes, and the io_context runs them in that order.
  void notify(const CibOutput& out) {
    const bool dc_ready = replica.isDc() && replica.ready();
    const std::optional<NodeId> dc = replica.dc();
    if (!listener ||
        (!out.persist && !out.confirmed && dc_ready == notified_ready && dc == notified_dc))
      return;
    notified_ready = dc_ready;
    notified_dc = dc;
    CibEvent event{parsedCopy(replica.cib()), dc, dc_ready, nullptr};
    if (out.confirmed) event.confirmed = parsedCopy(*out.confirmed);
    asio::post(io, [self = shared_from_this(), event = std::move(event)] {
      if (!self->stopped && self->listener) self->listener(event);
    });
  }

  // The parsed form of `copy`: the one already made for it, else a new parse (remembered).
  // A copy is parsed when it is first persisted; its confirmation, the events and the reads
  // that follow find it here. Null (and logged) when the copy does not parse.
  CibRef parsedCopy(const StoredCib& copy) {
    const CibStamp stamp = stampOf(copy);
    for (const CibRef& known : parsed_copies)
      if (known->stamp() == stamp && known->source() == copy.xml) return known;
    auto fresh = ParsedCib::parse(copy.xml, stamp);
    if (!fresh) {
      logEvent("cib: copy " + toString(stamp) + " is unusable: " + fresh.error().message);
      return nullptr;
    }
    parsed_copies.push_back(*fresh);
    if (parsed_copies.size() > kParsedKept) parsed_copies.pop_front();
    return *fresh;
  }

  // An idle tick (nothing to resend): once the copies have stopped changing for a whole idle
  // tick, the older parsed copies are let go (nothing is in flight that a confirmation could
  // name; the newest stays for the reads), and the heap's free pages and the code pages the
  // burst mapped go back to the system (common/idle_memory.h), so an idle node does not keep
  // its busiest moment's footprint.
  void settle() {
    const std::uint64_t parses = parseCount();
    if (parses != settled_parses) {
      settled_parses = parses;
      settle_due = true;
      return;
    }
    if (!settle_due) return;
    settle_due = false;
    while (parsed_copies.size() > 1) parsed_copies.pop_front();
    releaseIdleMemory();
  }

  void scheduleTick() {
    fast_tick = replica.resendPending();
    timer.expires_after(fast_tick ? kTick : kIdleTick);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopped) return;
      self->carryOut(self->replica.onTick(std::chrono::steady_clock::now()));
      if (!self->fast_tick) self->settle();
      self->scheduleTick();
    });
  }

  asio::io_context& io;
  asio::steady_timer timer;
  CibServiceOptions options;
  cib::CibStore store;
  StoredCib on_disk;  // the copy in cib.xml: what is in force when a save fails
  CibReplica replica;
  PeerLinks links;
  std::map<WriteId, std::function<void(WriteReply)>> pending;
  // The newest copies parsed, oldest first: the DC may persist a write before the previous one
  // is confirmed, so the last few are kept.
  std::deque<CibRef> parsed_copies;
  std::function<void(const CibEvent&)> listener;
  bool notified_ready = false;
  std::optional<NodeId> notified_dc;
  WriteId next_write = 1;
  bool stopped = false;
  std::uint64_t settled_parses = 0;  // parseCount() at the last idle tick (settle())
  bool settle_due = false;           // copies were parsed since the last settle()
  bool fast_tick = false;  // the timer runs at kTick (something to resend), else kIdleTick
  // What read() returns (publish()); the only state shared with other threads.
  mutable std::mutex published_mutex;
  std::shared_ptr<const CibSnapshot> published;
  CibStamp published_stamp{};
};

Result<std::unique_ptr<CibService>> CibService::create(asio::io_context& io,
                                                       CibServiceOptions options) {
  cib::CibStore store(
      options.state_dir, [](const std::string& line) { logEvent("cib: " + line); }, {},
      options.file_io != nullptr ? *options.file_io : posixFileIo());
  auto loaded = store.load();
  if (!loaded) return Error{"cib: " + loaded.error().message};
  StoredCib persisted{CibVersion{}, RingId{}, initialCib(options.config)};
  switch (loaded->outcome) {
    case cib::LoadedCib::Outcome::kLoaded: {
      auto [xml, sealed] = splitSealedMark(loaded->xml);
      persisted = StoredCib{loaded->version, sealed, std::move(xml)};
      logEvent("cib: loaded version " + toString(loaded->version) + " from " + store.path());
      break;
    }
    case cib::LoadedCib::Outcome::kCorrupt:
      logEvent("cib: " + store.path() + " cannot be trusted (" + loaded->reason +
               "); kept aside as " + loaded->kept_aside + "; taking the cluster's copy");
      break;
    case cib::LoadedCib::Outcome::kNoCib:
      logEvent("cib: no CIB on disk yet; starting from the empty one");
      break;
  }
  std::map<NodeId, std::string> peers;
  for (const membership::ClusterNode& node : options.config.nodes) {
    if (node.id != options.self) peers[node.id] = node.name;
  }
  auto impl =
      std::make_shared<Impl>(io, std::move(options), std::move(persisted), std::move(peers));
  impl->publish();
  impl->scheduleTick();
  return std::unique_ptr<CibService>(new CibService(std::move(impl)));
}

CibService::CibService(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

CibService::~CibService() = default;

void CibService::onViewChanged(const membership::View& view, bool quorate) {
  impl_->carryOut(impl_->replica.onViewChanged(view, quorate, std::chrono::steady_clock::now()));
}

void CibService::deliver(const peer::PeerEnvelope& envelope) {
  asio::post(impl_->io, [impl = impl_, envelope] {
    if (impl->stopped) return;
    auto message = fromEnvelope(envelope);
    if (!message) {
      logEvent("cib: dropped a peer message: " + message.error().message);
      return;
    }
    const auto& [from, body] = *message;
    if (from == impl->options.self || impl->options.config.findNode(from) == nullptr) {
      logEvent("cib: dropped a message claiming to come from node " + std::to_string(from));
      return;
    }
    impl->carryOut(impl->replica.onMessage(from, body, std::chrono::steady_clock::now()));
  });
}

std::future<WriteReply> CibService::submit(CibChange change) {
  auto promise = std::make_shared<std::promise<WriteReply>>();
  std::future<WriteReply> future = promise->get_future();
  asio::post(impl_->io, [impl = impl_, promise, change = std::move(change)]() mutable {
    if (impl->stopped) {
      promise->set_value(WriteReply{0, Error{"the cluster is stopping on this node"},
                                    WriteFailure::kNotApplied, membership::kNoNode});
      return;
    }
    const WriteId id = impl->next_write++;
    impl->pending.emplace(id,
                          [promise](WriteReply reply) { promise->set_value(std::move(reply)); });
    impl->carryOut(impl->replica.submit(id, std::move(change), std::chrono::steady_clock::now()));
  });
  return future;
}

void CibService::submit(CibChange change, std::function<void(WriteReply)> done) {
  if (impl_->stopped) {
    done(WriteReply{0, Error{"the cluster is stopping on this node"}, WriteFailure::kNotApplied,
                    membership::kNoNode});
    return;
  }
  const WriteId id = impl_->next_write++;
  impl_->pending.emplace(id, std::move(done));
  impl_->carryOut(impl_->replica.submit(id, std::move(change), std::chrono::steady_clock::now()));
}

void CibService::setListener(std::function<void(const CibEvent&)> listener) {
  impl_->listener = std::move(listener);
}

CibSnapshot CibService::read() const {
  std::lock_guard lock(impl_->published_mutex);
  return *impl_->published;
}

void CibService::stop() {
  impl_->stopped = true;
  impl_->timer.cancel();
  auto pending = std::move(impl_->pending);
  impl_->pending.clear();
  for (auto& [id, done] : pending) {
    done(WriteReply{id, Error{"the cluster stopped on this node during the write"},
                    WriteFailure::kUncertain, membership::kNoNode});
  }
}

}  // namespace pulse::crmd
