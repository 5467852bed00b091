#include "order_sets.h"

namespace pulse::pe {
namespace {

constexpr int kAsymmetric = 0, kSymmetric = 1, kInverse = 2;

std::string invertAction(const std::string& task) {
  if (task == "start") return "stop";
  if (task == "stop") return "start";
  if (task == "promote") return "demote";
  if (task == "demote") return "promote";
  return task;
}

class SetOrderer {
 public:
  SetOrderer(const WorkingSet& ws, const OrderConstraint& oc)
      : ws_(ws),
        oc_(oc),
        origin_("<rsc_order id=\"" + oc.id + "\"> (line " + std::to_string(oc.line) + ")") {}

  Result<std::vector<ResourceOrdering>> run() {
    int symmetry = orderingIsSymmetric(oc_.kind, oc_.symmetrical) ? kSymmetric : kAsymmetric;
    const ResourceSet* last = nullptr;
    for (const ResourceSet& set : oc_.sets) {
      if (auto e = withinSet(set)) return *e;
      if (last != nullptr) {
        if (auto e = betweenSets(*last, set, symmetry)) return *e;
        if (symmetry == kSymmetric) {
          if (auto e = betweenSets(set, *last, kInverse)) return *e;
        }
      }
      last = &set;
    }
    return std::move(out_);
  }

 private:
  std::optional<Error> resourceOf(const ResourceSet& set, const std::string& id, int& index) {
    index = ws_.findResource(id);
    if (index < 0) {
      return Error{origin_.text() + ": <resource_set id=\"" + set.id + "\"> (line " +
                   std::to_string(set.line) + ") names resource '" + id +
                   "', which does not exist"};
    }
    return std::nullopt;
  }

  void order(int first, const std::string& first_task, int then, const std::string& then_task,
             std::uint32_t flags) {
    out_.push_back({first, first_task, then, then_task, flags, origin_});
  }

  // unpack_order_set(): a sequential set orders each member after the one
  // before it (and, when symmetric, stops them in reverse).
  std::optional<Error> withinSet(const ResourceSet& set) {
    std::vector<int> members;
    for (const std::string& id : set.resources) {
      int index = -1;
      if (auto e = resourceOf(set, id, index)) return e;
      members.push_back(index);
    }
    if (members.size() <= 1) return std::nullopt;
    OrderKind kind = set.kind.value_or(oc_.kind);
    std::optional<bool> symmetrical = set.symmetrical ? set.symmetrical : oc_.symmetrical;
    OrderKind symmetry_kind = kind;
    if (!set.kind && set.score)
      symmetry_kind = *set.score == 0 ? OrderKind::Optional : OrderKind::Mandatory;
    int symmetry = orderingIsSymmetric(symmetry_kind, symmetrical) ? kSymmetric : kAsymmetric;
    std::string action = set.action.empty() ? "start" : set.action;
    bool sequential = set.sequential.value_or(true);
    std::uint32_t flags = orderingFlags(kind, action, symmetry);
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (kind == OrderKind::Serialize) {
        for (std::size_t j = i + 1; j < members.size(); ++j) {
          order(members[i], action, members[j], action, flags);
        }
      } else if (sequential && i > 0) {
        order(members[i - 1], action, members[i], action, flags);
      }
    }
    if (symmetry == kAsymmetric) return std::nullopt;
    action = invertAction(action);
    flags = orderingFlags(kind, action, kInverse);
    if (sequential) {
      for (std::size_t i = 1; i < members.size(); ++i) {
        order(members[i], action, members[i - 1], action, flags);
      }
    }
    return std::nullopt;
  }

  // order_rsc_sets(): `set1`'s actions before `set2`'s.
  std::optional<Error> betweenSets(const ResourceSet& set1, const ResourceSet& set2, int symmetry) {
    std::string action1 = set1.action.empty() ? "start" : set1.action;
    std::string action2 = set2.action.empty() ? "start" : set2.action;
    if (symmetry == kInverse) {
      action1 = invertAction(action1);
      action2 = invertAction(action2);
    }
    // One-or-more applies while starting and promoting; stopping waits for all.
    bool require_all = set1.require_all || action1 == "stop" || action1 == "demote";
    std::uint32_t flags = orderingFlags(oc_.kind, action2, symmetry);
    std::vector<int> firsts, thens;
    for (const std::string& id : set1.resources) {
      int index = -1;
      if (auto e = resourceOf(set1, id, index)) return e;
      firsts.push_back(index);
    }
    for (const std::string& id : set2.resources) {
      int index = -1;
      if (auto e = resourceOf(set2, id, index)) return e;
      thens.push_back(index);
    }
    if (!require_all) {
      std::string pseudo = "one-or-more:" + set1.id;
      for (int f : firsts)
        order(f, action1, -1, pseudo, kOrderOneOrMore | kOrderImpliesThenPrinted);
      for (int t : thens) order(-1, pseudo, t, action2, flags | kOrderRunnableLeft);
      return std::nullopt;
    }
    // Only an explicitly sequential set is represented by its end member.
    if (set1.sequential.value_or(false) && !firsts.empty()) {
      firsts = {symmetry == kInverse ? firsts.front() : firsts.back()};
    }
    if (set2.sequential.value_or(false) && !thens.empty()) {
      thens = {symmetry == kInverse ? thens.back() : thens.front()};
    }
    for (int f : firsts) {
      for (int t : thens) order(f, action1, t, action2, flags);
    }
    return std::nullopt;
  }

  const WorkingSet& ws_;
  const OrderConstraint& oc_;
  Origin origin_;
  std::vector<ResourceOrdering> out_;
};

}  // namespace

bool orderingIsSymmetric(OrderKind kind, const std::optional<bool>& symmetrical) {
  if (symmetrical.has_value()) return *symmetrical && kind != OrderKind::Serialize;
  return kind != OrderKind::Serialize;
}

std::uint32_t orderingFlags(OrderKind kind, const std::string& first_action, int symmetry) {
  std::uint32_t flags = kOrderOptional;
  if (kind == OrderKind::Serialize) flags |= kOrderSerializeOnly;
  if (kind == OrderKind::Mandatory) {
    if (symmetry == kAsymmetric) {
      flags |= kOrderAsymmetrical;
    } else if (symmetry == kSymmetric) {
      flags |= kOrderImpliesThen;
      if (first_action == "start" || first_action == "promote") flags |= kOrderRunnableLeft;
    } else {
      flags |= kOrderImpliesFirst;
    }
  }
  return flags;
}

Result<std::vector<ResourceOrdering>> orderSetOrderings(const WorkingSet& ws,
                                                        const OrderConstraint& oc) {
  return SetOrderer(ws, oc).run();
}

}  // namespace pulse::pe
