// Watchdog self-fencing (sbd's watchdog-only mode) for clusters without a fence device: the
// policy that decides when crmd pets the watchdog, and the bound D that survivors wait after
// losing a node before they treat it as fenced (Pacemaker's stonith-watchdog-timeout).
//
// Pure: no clocks, no I/O. The feeder runs on crmd's io thread; pulse-watchdog
// (watchdog_main.cc) is the watchdog.
//
// Mechanism. crmd pets the watchdog every P while quorum contact is fresh
// (membership/quorum_contact.h: the peers whose latest heartbeat lists this node, received
// within S, plus itself, hold a quorum). A node with the watchdog armed asks every member
// for direct heartbeats (membership::NodeOptions::direct; a settled view otherwise heartbeats
// only along its ring) and presumes no peer alive, so the bound below holds as derived. Once
// contact lapses it never pets again, even if contact returns (the survivors may already count
// the node as dead). The watchdog runs the self-fence command W after the last pet, or at once
// if crmd dies without disarming.
//
// The bound. Symbols: T token, H heartbeat interval (T/4), S the contact window
// (membership::Timing::contactWindow(), max(2H, 300 ms): the one place it is computed, for the
// membership and for D alike), P pet interval,
// W watchdog timeout, d the largest one-way delivery delay (d < H), k the membership tick,
// F the self-fence command's run time. X is the node cut off, t0 the instant of the cut, V the
// first instant a survivor installs a view without X, e the instant X's contact ends.
// Survivors declare X lost no earlier than T after they last heard it, and X sent a heartbeat
// in [t0 - H, t0), so V >= t0 - H + T (assuming that last heartbeat was not lost). X pets
// before e only, so the command has run by e + W + P + F (P: the feeder and the watchdog may
// each run up to one pet interval late). Hence D = max(e - V) + W + P + F, where e - V is:
//  * symmetric cut (nothing in either direction): X's last listing heartbeat arrives by
//    t0 + d, so e <= t0 + d + S and e - V <= S + H + d - T;
//  * asymmetric cut (X still hears the survivors, they do not hear X): a survivor last hears X
//    by t0 + d and lists it until then + S; its next heartbeat (<= H later) no longer lists X
//    and revokes at once, so e <= t0 + S + H + 2d and e - V <= S + 2H + 2d - T;
//  * partial cut (the representative does not hear X, another survivor p still does): p lists
//    X until it installs the new view (<= V + d), and heartbeats at its next tick with X
//    dropped, so e <= V + 2d + k.
// D = max(S + H + d - T, S + 2H + 2d - T, 2d + k) + W + P + F. With T = 1000 ms (H = 250,
// S = 500), d = 10, k = 20, P = 100, W = 300, F = 50: max(-240, 20, 40) + 450 = 490 ms; with
// T = 300 ms (H = 75, S = 300: the floor, 4 heartbeat intervals): max(85, 170, 40) + 450 = 620 ms
// (S = 2H = 150 gave 490 ms, but one stall of 150 ms on either of two survivors self-fenced both).
// The condition that makes D small: S + 2H < T, i.e. X notices it lost contact before the
// survivors finish detecting its loss; a wider S buys tolerance of stalls with D, never with
// safety, because D is computed from the same S. tests/membership/self_fence_simulation_test.cc
// checks e <= V + D - W - P - F over random cuts.
//
// Two-node clusters (two_node: 1) have quorum 1, so a node alone keeps contact forever: the
// watchdog cannot fence them; they need a fence device. The same holds for a one-node cluster.
#pragma once

#include <chrono>

#include "common/result.h"
#include "membership/membership_node.h"

namespace pulse::crmd {

using std::chrono::milliseconds;

struct SelfFenceTiming {
  milliseconds pet_interval{100};      // P
  milliseconds watchdog_timeout{300};  // W
  milliseconds network_delay{10};      // d: largest one-way delay between nodes
  milliseconds membership_tick{20};    // k: MembershipService's tick
  milliseconds fence_action{50};       // F: the self-fence command's own run time
};

// The error names the field that is wrong: every duration positive, W > P (a watchdog that
// fires between two pets would fence a healthy node), d < H.
Status validate(const membership::Timing& membership, const SelfFenceTiming& timing);

// D above: the least time survivors must wait after installing a view without a node before
// treating it as self-fenced. Never negative.
milliseconds minimumWatchdogWait(const membership::Timing& membership,
                                 const SelfFenceTiming& timing);

// The feeder's decision, called every pet interval with the membership's lastQuorumContact().
// Before the first fresh contact the node runs nothing, and it is fed (so that a node starting
// without its peers is not fenced); afterwards it is fed only while contact is fresh, and never
// again once contact has lapsed.
class WatchdogFeeder {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  explicit WatchdogFeeder(milliseconds contact_window) : window_(contact_window) {}

  [[nodiscard]] bool shouldPet(TimePoint now, TimePoint last_contact);

  bool armed() const { return armed_; }
  bool lapsed() const { return lapsed_; }

 private:
  milliseconds window_;
  bool armed_ = false;   // contact was fresh once
  bool lapsed_ = false;  // contact lapsed after arming: never pet again
};

}  // namespace pulse::crmd
