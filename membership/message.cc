#include "membership/message.h"

#include <algorithm>
#include <optional>
#include <string>

namespace pulse::membership {
namespace {

enum class Type : std::uint8_t {
  kHeartbeat = 1,
  kPropose = 2,
  kAck = 3,
  kCommit = 4,
  kNodeInfo = 5,
};

constexpr std::uint8_t kNodeInfoQuorate = 1u << 0;
constexpr std::uint8_t kNodeInfoWaitingForAll = 1u << 1;
constexpr std::uint8_t kNodeInfoSet = 1u << 2;
constexpr std::uint8_t kNodeInfoPending = 1u << 3;
constexpr std::uint8_t kHeartbeatGather = 1u << 0;
constexpr std::uint8_t kHeartbeatDirect = 1u << 1;

class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}
  template <class T>
  void put(T value) {
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      out_.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> (8 * i)));
    }
  }
  void ring(const RingId& r) {
    put(r.seq);
    put(r.representative);
  }
  void members(const std::vector<NodeId>& m) {
    put(static_cast<std::uint16_t>(m.size()));
    for (NodeId n : m) put(n);
  }

 private:
  Bytes& out_;
};

// Bounds-checked reader: every get() fails (returns nullopt) rather than read past the end.
class Reader {
 public:
  explicit Reader(const Bytes& in) : in_(in) {}
  template <class T>
  std::optional<T> get() {
    if (in_.size() - pos_ < sizeof(T)) return std::nullopt;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      v |= static_cast<std::uint64_t>(in_[pos_ + i]) << (8 * i);
    }
    pos_ += sizeof(T);
    return static_cast<T>(v);
  }
  std::optional<RingId> ring() {
    auto seq = get<std::uint64_t>();
    auto rep = get<NodeId>();
    if (!seq || !rep) return std::nullopt;
    return RingId{*seq, *rep};
  }
  std::size_t remaining() const { return in_.size() - pos_; }

 private:
  const Bytes& in_;
  std::size_t pos_ = 0;
};

Error truncated(const char* what) { return Error{std::string("truncated ") + what}; }

// Reads a member list and checks it is sorted, unique, non-zero and not oversized.
Result<std::vector<NodeId>> readMembers(Reader& r, bool may_be_empty = false) {
  auto count = r.get<std::uint16_t>();
  if (!count) return truncated("member count");
  if ((*count == 0 && !may_be_empty) || *count > kMaxMembers) {
    return Error{"member count " + std::to_string(*count) + " out of range"};
  }
  if (r.remaining() < std::size_t{*count} * sizeof(NodeId)) return truncated("member list");
  std::vector<NodeId> members;
  members.reserve(*count);
  for (std::uint16_t i = 0; i < *count; ++i) {
    NodeId n = *r.get<NodeId>();
    if (n == kNoNode || (!members.empty() && n <= members.back())) {
      return Error{"member list not sorted, unique and non-zero"};
    }
    members.push_back(n);
  }
  return members;
}

// Propose and Commit share a shape: a ring id represented by the sender, and its members.
template <class M>
Result<Message> readView(Reader& r, NodeId sender) {
  auto ring = r.ring();
  if (!ring) return truncated("ring id");
  auto members = readMembers(r);
  if (!members) return members.error();
  if (ring->representative != sender ||
      !std::binary_search(members->begin(), members->end(), sender)) {
    return Error{"view representative is not the sender or not a member"};
  }
  return Message{sender, M{*ring, std::move(members).value()}};
}

}  // namespace

Bytes encode(const Message& message) {
  Bytes out;
  Writer w(out);
  w.put(kWireVersion);
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, Heartbeat>) {
          w.put(Type::kHeartbeat);
          w.put(message.sender);
          w.put(body.incarnation);
          w.put(body.max_seq);
          w.ring(body.ring_id);
          w.members(body.heard);
          w.put(static_cast<std::uint8_t>((body.gather ? kHeartbeatGather : 0) |
                                          (body.direct ? kHeartbeatDirect : 0)));
          w.members(body.lost);
        } else if constexpr (std::is_same_v<T, Ack>) {
          w.put(Type::kAck);
          w.put(message.sender);
          w.ring(body.ring_id);
        } else if constexpr (std::is_same_v<T, NodeInfo>) {
          w.put(Type::kNodeInfo);
          w.put(message.sender);
          w.ring(body.ring_id);
          w.put(body.expected_votes);
          const bool has_set = !body.set.nodes.empty();
          const bool has_pending = body.pending && !body.pending->nodes.empty();
          w.put(static_cast<std::uint8_t>((body.quorate ? kNodeInfoQuorate : 0) |
                                          (body.waiting_for_all ? kNodeInfoWaitingForAll : 0) |
                                          (has_set ? kNodeInfoSet : 0) |
                                          (has_pending ? kNodeInfoPending : 0)));
          if (has_set) {
            w.put(body.set.epoch);
            w.members(body.set.nodes);
          }
          if (has_pending) {
            w.put(body.pending->epoch);
            w.members(body.pending->nodes);
          }
        } else {
          w.put(std::is_same_v<T, Propose> ? Type::kPropose : Type::kCommit);
          w.put(message.sender);
          w.ring(body.ring_id);
          w.members(body.members);
        }
      },
      message.body);
  return out;
}

Result<Message> decode(const Bytes& bytes) {
  if (bytes.size() > kMaxMessageSize) {
    return Error{"message of " + std::to_string(bytes.size()) + " bytes is oversized"};
  }
  Reader r(bytes);
  auto version = r.get<std::uint8_t>();
  auto type = r.get<std::uint8_t>();
  auto sender = r.get<NodeId>();
  if (!version || !type || !sender) return truncated("header");
  if (*version != kWireVersion) return Error{"unknown version " + std::to_string(*version)};
  if (*sender == kNoNode) return Error{"sender is node 0"};

  Result<Message> result = Error{"unknown message type " + std::to_string(*type)};
  switch (static_cast<Type>(*type)) {
    case Type::kHeartbeat: {
      auto inc = r.get<std::uint64_t>();
      auto max_seq = r.get<std::uint64_t>();
      auto ring = r.ring();
      if (!inc || !max_seq || !ring) return truncated("heartbeat");
      auto heard = readMembers(r, /*may_be_empty=*/true);
      if (!heard) return Error{"heartbeat heard list: " + heard.error().message};
      auto flags = r.get<std::uint8_t>();
      if (!flags) return truncated("heartbeat");
      if ((*flags & ~(kHeartbeatGather | kHeartbeatDirect)) != 0) {
        return Error{"heartbeat with unknown flags " + std::to_string(*flags)};
      }
      auto lost = readMembers(r, /*may_be_empty=*/true);
      if (!lost) return Error{"heartbeat lost list: " + lost.error().message};
      result =
          Message{*sender, Heartbeat{*inc, *max_seq, *ring, std::move(heard).value(),
                                     (*flags & kHeartbeatGather) != 0,
                                     (*flags & kHeartbeatDirect) != 0, std::move(lost).value()}};
      break;
    }
    case Type::kAck: {
      auto ring = r.ring();
      if (!ring) return truncated("ack");
      result = Message{*sender, Ack{*ring}};
      break;
    }
    case Type::kPropose:
      result = readView<Propose>(r, *sender);
      break;
    case Type::kCommit:
      result = readView<Commit>(r, *sender);
      break;
    case Type::kNodeInfo: {
      auto ring = r.ring();
      auto expected = r.get<std::uint32_t>();
      auto flags = r.get<std::uint8_t>();
      if (!ring || !expected || !flags) return truncated("nodeinfo");
      if (*expected == 0) return Error{"nodeinfo with expected_votes 0"};
      if ((*flags &
           ~(kNodeInfoQuorate | kNodeInfoWaitingForAll | kNodeInfoSet | kNodeInfoPending)) != 0) {
        return Error{"nodeinfo with unknown flags " + std::to_string(*flags)};
      }
      NodeInfo info{*ring,
                    *expected,
                    (*flags & kNodeInfoQuorate) != 0,
                    (*flags & kNodeInfoWaitingForAll) != 0,
                    {},
                    std::nullopt};
      auto readSet = [&r]() -> Result<VoteSet> {
        auto epoch = r.get<std::uint64_t>();
        if (!epoch) return truncated("vote set");
        auto nodes = readMembers(r);
        if (!nodes) return nodes.error();
        return VoteSet{*epoch, std::move(nodes).value()};
      };
      if (*flags & kNodeInfoSet) {
        auto set = readSet();
        if (!set) return set.error();
        info.set = std::move(set).value();
      }
      if (*flags & kNodeInfoPending) {
        auto pending = readSet();
        if (!pending) return pending.error();
        info.pending = std::move(pending).value();
      }
      result = Message{*sender, std::move(info)};
      break;
    }
  }
  if (result.ok() && r.remaining() != 0) {
    return Error{std::to_string(r.remaining()) + " trailing bytes"};
  }
  return result;
}

}  // namespace pulse::membership
