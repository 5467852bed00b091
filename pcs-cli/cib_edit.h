// What `pcs resource|constraint|property|node` do to the CIB, as pure functions.
//
// pcs fetches the CIB, applies one edit and pushes the result back; this module is the middle
// step. parseEdit() turns pcs's word list into a typed Edit; applyEdit() turns a CIB (Pacemaker's
// XML) and an Edit into the new CIB. No I/O, no clock, no global state: equal inputs give equal
// outputs, so the functions are safe to call from any thread.
//
// Invariants: on success the returned CIB is accepted by pulse::pe::unpackCib(); on any error
// the caller gets an Error (pcs's wording, without the "Error: " prefix the CLI adds) and no
// CIB, so an error can never change the configuration. Generated ids follow pcs 0.11.
// applyEdit() leaves epoch/num_updates alone; bumpEpoch() is the caller's choice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/result.h"
#include "crmd/executor/agent_metadata.h"

namespace pulse::pcs {

// name=value pairs in the order given (order matters for pcs's generated ids and output).
using NvPairs = std::vector<std::pair<std::string, std::string>>;

// An agent this node has, as pcs names it. Its parameters and actions are crmd's parse of the
// agent's own `meta-data` output (durations in milliseconds); create/update/op add check
// options against them and write the agent's default operations from them.
struct KnownAgent {
  std::string standard = "ocf";  // class attribute: ocf, systemd, lsb, ...
  std::string provider;          // "heartbeat"; empty for non-ocf classes
  std::string type;              // "IPaddr2"
  crmd::AgentMetadata metadata;

  // "ocf:heartbeat:IPaddr2" (or "systemd:nginx").
  std::string fullName() const;
};

// What applyEdit() may need besides the CIB: the agents this node knows (for create's short
// names and option checks) and the node a resource runs on now (for move/ban without node).
struct EditContext {
  std::vector<KnownAgent> agents;
  // Where the resource of a move/ban runs now: for a clone with a promoted instance (and with
  // --promoted always) where it is promoted, as crm_resource picks it. "" when there is no
  // single such node; active/promoted count them for the error message.
  std::string current_node;
  int active = 0, promoted = 0;
  bool promotable = false;
  // pcs -f: no cluster to ask, so location constraints skip the node existence check (pcs
  // 0.11 warns "Validation for node existence in the cluster will be skipped").
  bool offline = false;
  // Seconds since the epoch when the command runs: a ban or move with a lifetime ends at
  // now + lifetime.
  std::int64_t now = 0;
  // Why the agent a create names is not among `agents` (its meta-data failed: "systemd is not
  // running on this node", "unit x.service not found"); "" when it was simply not found.
  std::string agent_problem;
};

// One operation as typed after `op`: `op monitor interval=5s timeout=20s`.
struct OperationSpec {
  std::string action;
  NvPairs options;
};

// The clone a `resource create ... clone|promotable` or `resource clone|promotable` makes.
struct CloneSpec {
  bool wanted = false;
  bool promotable = false;
  std::string clone_id;  // "" = RSC-clone
  NvPairs options;       // the clone's meta attributes
};

struct ResourceCreate {
  std::string id;
  std::string agent;  // as typed: "ocf:heartbeat:IPaddr2" or "IPaddr2"
  NvPairs params;
  std::vector<OperationSpec> operations;
  NvPairs meta;
  std::string group;          // --group; "" for none
  std::string before, after;  // --before/--after within the group
  bool disabled = false;      // --disabled: meta target-role=Stopped
  bool force = false;         // --force: allow unknown/missing options
  CloneSpec clone;
};
struct ResourceDelete {
  std::string id;
  bool stonith = false;  // `pcs stonith delete`: refuses anything but a stonith primitive
};
struct ResourceUpdate {
  std::string id;
  NvPairs params;                         // empty value removes the parameter
  std::vector<OperationSpec> operations;  // replaces operations of the same action
  NvPairs meta;
  bool force = false;
};
struct ResourceEnable {
  std::string id;
  bool enable = true;  // false: disable
};
struct ResourceMeta {
  std::string id;
  NvPairs meta;  // empty value removes
};
struct ResourceOpAdd {
  std::string id;
  OperationSpec operation;
  bool force = false;
};
struct GroupAdd {
  std::string group;
  std::vector<std::string> resources;
  std::string before, after;
};
// move/ban/clear with --promoted (crm_resource --promoted) act on the Promoted role of a
// promotable clone only: the constraints get role="Promoted", and the current node is where
// the clone is promoted.
// A lifetime (ISO 8601 duration, pcs's `lifetime=`) makes the constraint a rule that holds
// until now + lifetime, as crm_resource --lifetime writes it.
struct ResourceMove {
  std::string id;
  std::string node;  // "" = ban the node it runs on now (EditContext::current_node)
  bool promoted = false;
  std::string lifetime;
};
struct ResourceBan {
  std::string id;
  std::string node;  // "" = the current node
  bool promoted = false;
  std::string lifetime;
};
struct ResourceClear {
  std::string id;
  std::string node;  // "" = every node
  bool promoted = false;
};
struct LocationPrefers {
  std::string rsc;
  bool avoids = false;
  NvPairs node_scores;  // node -> score ("" = INFINITY)
  bool force = false;   // skip the check that nodes exist
};
// `constraint location add ID RSC NODE SCORE [resource-discovery=...]`; an existing
// location constraint with that id is replaced, as in pcs.
struct LocationAdd {
  std::string id, rsc, node, score;
  NvPairs options;
  bool force = false;
};
struct ColocationAdd {
  std::string rsc, with_rsc;
  std::string rsc_role, with_rsc_role;
  std::string score = "INFINITY";
  NvPairs options;
  bool force = false;  // allow a duplicate
};
struct OrderAdd {
  std::string first_action = "start", first;
  std::string then_action = "start", then;
  NvPairs options;  // kind=, symmetrical=, id=
  bool force = false;
};
struct ConstraintDelete {
  std::vector<std::string> ids;
};
struct PropertySet {
  NvPairs properties;  // empty value removes
  bool force = false;  // allow names Pacemaker does not know
};
struct NodeStandby {
  std::string node;
  bool standby = true;  // false: unstandby
};

// `resource clone|promotable RSC [CLONE_ID] [options]`.
struct ResourceClone {
  std::string id;
  CloneSpec clone;
};
// `resource unclone ID`: ID is the clone or the resource/group inside it.
struct ResourceUnclone {
  std::string id;
};
// `resource [op] defaults [update] name=value...`: rsc_defaults / op_defaults; empty removes.
struct DefaultsUpdate {
  bool operations = false;
  NvPairs pairs;
};
// `resource utilization RSC k=v`, `node attribute NODE k=v`, `node utilization NODE k=v`.
struct NvSetUpdate {
  enum class Target { ResourceUtilization, NodeAttribute, NodeUtilization } target;
  std::string id;  // resource id or node name
  NvPairs pairs;   // empty value removes
};
// `constraint location RSC rule [options] EXPRESSION...`.
struct LocationRule {
  std::string rsc;
  NvPairs options;  // id, constraint-id, score, score-attribute, role, resource-discovery
  std::vector<std::string> expression;
};
// One `set` of a set constraint: its resources and options (sequential=, action=, ...).
struct ResourceSet {
  std::vector<std::string> resources;
  NvPairs options;
};
// `constraint order|colocation|ticket set ... [setoptions ...]`.
struct SetConstraint {
  std::string kind;  // "order", "colocation", "ticket"
  std::vector<ResourceSet> sets;
  NvPairs options;
};
// `constraint ticket add TICKET [ROLE] RSC [options]`.
struct TicketAdd {
  std::string ticket, role, rsc;
  NvPairs options;
};
// `constraint ticket delete|remove TICKET RSC`.
struct TicketDelete {
  std::string ticket, rsc;
};
// `tag create TAG ID...`, `tag delete|remove TAG...`, `tag update TAG [add ID...] [remove ID...]`.
struct TagCreate {
  std::string id;
  std::vector<std::string> ids;
};
struct TagDelete {
  std::vector<std::string> ids;
};
struct TagUpdate {
  std::string id;
  std::vector<std::string> add, remove;
  std::string before, after;  // --before/--after ID: where the added ids go
};
// `resource op delete|remove RSC ACTION [k=v...]` or `... OPERATION_ID` (action empty).
struct OpDelete {
  std::string id;
  std::string action;
  NvPairs options;
};
// `resource group delete|remove GROUP [RSC...]` and `resource ungroup GROUP [RSC...]`.
struct GroupRemove {
  std::string group;
  std::vector<std::string> resources;  // empty: dissolve the whole group
};

// `pcs alert create|update` (alert) and `pcs alert recipient add|update` (recipient): pcs
// 0.11's words, `options` and `meta` starting the instance and meta attributes (an empty
// value removes one). nullopt: not given (update leaves it; description="" removes it).
struct AlertEdit {
  bool recipient = false;
  bool create = false;  // create / add; else update
  std::string id;       // update: the alert or recipient; create: "" = generated
  std::string alert;    // recipient add: the alert it joins
  std::optional<std::string> path, value, description;
  NvPairs options, meta;  // sorted by name, each name once (pcs's dict)
  bool force = false;     // recipient: allow a value the alert already has
};
// `pcs alert delete|remove ID...` and `pcs alert recipient delete|remove ID...`.
struct AlertDelete {
  bool recipient = false;
  std::vector<std::string> ids;
};

// A fencing level's target as pcs 0.11 spells it: NODE (also %NODE, node%NODE),
// regexp%PATTERN or attrib%NAME=VALUE.
struct LevelTarget {
  enum class Kind { kNode, kPattern, kAttribute } kind = Kind::kNode;
  std::string value;       // the node, the pattern, or the attribute's name
  std::string attr_value;  // kAttribute: the value
};
// `pcs stonith level add LEVEL TARGET STONITH...` (devices may also be comma-separated).
struct FencingLevelAdd {
  std::string level;  // as given: pcs checks it is a positive integer
  LevelTarget target;
  std::vector<std::string> devices;
  bool force = false;                 // a node or device that does not exist is a warning
  std::vector<std::string> warnings;  // pcs's deprecation warnings, printed before the edit
};
// `pcs stonith level delete|remove LEVEL [target T] [stonith S...]` and `pcs stonith level clear
// [target T | stonith S...]`, with pcs 0.11's older positional spellings (`legacy`: the target
// may name a device instead; clear tries both and ignores what is missing).
struct FencingLevelRemove {
  bool clear = false;
  std::string level;  // remove only
  std::optional<LevelTarget> target;
  std::optional<std::vector<std::string>> devices;
  bool legacy = false;
  std::vector<std::string> warnings;
};

using Edit =
    std::variant<ResourceCreate, ResourceDelete, ResourceUpdate, ResourceEnable, ResourceMeta,
                 ResourceOpAdd, GroupAdd, ResourceMove, ResourceBan, ResourceClear, LocationPrefers,
                 ColocationAdd, OrderAdd, ConstraintDelete, PropertySet, NodeStandby, ResourceClone,
                 ResourceUnclone, DefaultsUpdate, NvSetUpdate, LocationRule, SetConstraint,
                 TicketAdd, TicketDelete, TagCreate, TagDelete, TagUpdate, OpDelete, GroupRemove,
                 LocationAdd, AlertEdit, AlertDelete, FencingLevelAdd, FencingLevelRemove>;

// The warnings pcs 0.11 prints for the command itself (deprecated spellings), before it edits.
std::vector<std::string> editWarnings(const Edit& edit);

// Parses the words after `pcs`, e.g. {"resource", "create", "vip", "IPaddr2", "ip=…",
// "--group", "web"}. Flags (--force, --disabled, --group G, --before R, --after R) may be
// anywhere. On failure the Error says which word was wrong.
Result<Edit> parseEdit(const std::vector<std::string>& words);

// Applies an edit. On success: the new CIB text (indented by two spaces, no XML declaration).
// On failure: pcs's error; nothing else happened.
Result<std::string> applyEdit(const std::string& cib_xml, const Edit& edit,
                              const EditContext& context = {});

// What pcs 0.11 tells the user after a move, ban or clear wrote `after` over `before`: when a
// lifetime ends, that a ban or a move constraint stays until it is removed, which constraints
// clear removed. "" for other edits. Lines end in '\n'; pcs writes them to stderr.
std::string placementReport(const Edit& edit, const EditContext& context, const std::string& before,
                            const std::string& after);

// Marks a configuration change as Pacemaker does: epoch + 1, num_updates = 0.
Result<std::string> bumpEpoch(const std::string& cib_xml);

// Read-only views, in pcs 0.11's text layout (`pcs constraint [--full]`, `pcs constraint ref`,
// `pcs property config`, `pcs resource config`). The JSON has pcs's top-level keys for plain
// constraints only.
Result<std::string> constraintList(const std::string& cib_xml, bool with_ids = false);
Result<std::string> constraintListJson(const std::string& cib_xml);
Result<std::string> constraintRef(const std::string& cib_xml, const std::vector<std::string>& ids);
Result<std::string> propertyConfig(const std::string& cib_xml);
// `pcs resource config [NAME]`; an unknown NAME is "No resource found".
// Stonith primitives are left out, as pcs 0.11 does; `pcs stonith config` lists only them.
Result<std::string> resourceConfig(const std::string& cib_xml, const std::string& id = "");
Result<std::string> stonithConfig(const std::string& cib_xml, const std::string& id = "");
// `pcs resource config [ID]... --output-format=json` (stonith = false) and `pcs stonith config
// [ID]... --output-format=json` (stonith = true): pcs 0.11's ListCibResourcesDto. Named ids keep
// the resources inside them; an unknown id adds "Unable to find resource 'ID'" to `warnings`,
// none found is "No resource found" ("stonith device" for stonith). A set with a rule is refused.
Result<std::string> resourcesConfigJson(const std::string& cib_xml, bool stonith,
                                        const std::vector<std::string>& ids,
                                        std::vector<std::string>& warnings);
// The same with --output-format=cmd: the pcs commands that create the resources again, as pcs
// 0.11 prints them (rules in attribute sets left out, as pcs leaves them out); bundles refused.
Result<std::string> resourcesConfigCmd(const std::string& cib_xml, bool stonith,
                                       const std::vector<std::string>& ids,
                                       std::vector<std::string>& warnings);
// resourcesConfigJson(cib_xml, true, {}, ...).
Result<std::string> stonithConfigJson(const std::string& cib_xml);
// `pcs stonith level [config]`: the levels by target ("" when there are none); `pcs stonith
// config` ends with them under "Fencing Levels:".
Result<std::string> stonithLevelConfig(const std::string& cib_xml);
// "\nFencing Levels:\n" and the levels indented by one space, as `pcs stonith config` and `pcs
// stonith status` end; "" when there are none (or the CIB cannot be read).
std::string fencingLevelsSection(const std::string& cib_xml);
// `pcs stonith level verify`: an Error naming every device and node target the levels name that
// do not exist ("Error: "-joined lines as pcs prints them), else "".
Result<std::string> stonithLevelVerify(const std::string& cib_xml);
// `pcs alert [config]`: pcs 0.11's listing ("Alerts:", " No alerts defined" when none).
Result<std::string> alertConfig(const std::string& cib_xml);

// The operations `resource create` adds for the actions the user does not name (and
// `resource describe` shows): the agent's actions but meta-data, status and validate-all, and
// always a monitor; intervals and timeouts in pcs's text ("10s"), OCF_CHECK_LEVEL for a depth.
// Null agent: just monitor every 60s.
std::vector<OperationSpec> defaultOperations(const KnownAgent* agent);

// Facts pcs -f needs around an edit. primitiveAgent: "ocf:heartbeat:IPaddr2" for primitive
// `id`, "" when there is no such primitive. clusterProperty: the value of cluster property
// `name` in crm_config, "" when unset.
Result<std::string> primitiveAgent(const std::string& cib_xml, const std::string& id);
Result<std::string> clusterProperty(const std::string& cib_xml, const std::string& name);

}  // namespace pulse::pcs
