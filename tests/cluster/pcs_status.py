"""Reads `pcs status` as a user reads it (crm_mon's layout, pcs-cli/status_output.cc):

    Cluster Summary:
      * Current DC: n2 (version 0.1) - partition with quorum
    Node List:
      * Node n1: standby
      * Online: [ n2 n3 ]
      * OFFLINE: [ n4 ]
    Full List of Resources:
      * vip\t(ocf:heartbeat:IPaddr2):\t Started n1
      * Resource Group: web:
        * gvip\t(ocf:heartbeat:IPaddr2):\t Started n2
    Failed Resource Actions:
      * hang_start_0 on n3 'Timed Out' (2): call=0, ...

Only what the namespace tests judge by is kept: each primitive's state word (Started, Stopped,
FAILED, Promoted...), the node(s) it is on, its group; the DC and quorum; node states; the
failed-action lines. Unknown lines are ignored, so a richer `pcs status --full` still parses.
"""
import re
from dataclasses import dataclass, field

RESOURCE_RE = re.compile(r"^(\s*)\* (\S+)\t\(([^)]*)\):\t (\S+)(?: (\S+))?(.*)$")
GROUP_RE = re.compile(r"^(\s*)\* Resource Group: ([^\s:]+)(?: \([^)]*\))?:")
DC_RE = re.compile(r"Current DC: (\S+)(?: .* partition (with|WITHOUT) quorum)?")
LIST_RE = re.compile(r"^\s*\* (Online|OFFLINE): \[ ?(.*?) ?\]\s*$")
NODE_RE = re.compile(r"^\s*\* Node (\S+): (.*)$")
# The raw fields line under Pulse's readable one ("  * vip: start on n2 failed: ..."), or a
# "* " line of its own as crm_mon --show-detail prints it.
FAILED_RE = re.compile(r"^\s*(?:\* )?(\S+) on (\S+) '([^']*)' \((\d+)\)")


@dataclass
class Resource:
    id: str
    agent: str
    state: str          # Started, Stopped, FAILED, Promoted, Unpromoted, Starting...
    nodes: list         # where it is; empty when stopped
    group: str = None
    flags: str = ""     # "(disabled)", "(unmanaged)"...


@dataclass
class FailedAction:
    key: str            # hang_start_0
    node: str
    rc_text: str
    rc: int


@dataclass
class Status:
    dc: str = None
    quorate: bool = False
    online: list = field(default_factory=list)
    offline: list = field(default_factory=list)
    node_states: dict = field(default_factory=dict)   # "n1" -> "standby", "UNCLEAN (offline)"
    resources: dict = field(default_factory=dict)     # id -> Resource
    failed: list = field(default_factory=list)

    def where(self, rsc: str):
        """The node a primitive is started on, None when it is not running on exactly one."""
        r = self.resources.get(rsc)
        if r and r.state not in ("Stopped", "FAILED") and len(r.nodes) == 1:
            return r.nodes[0]
        return None

    def running_on(self, node: str):
        return sorted(r.id for r in self.resources.values()
                      if node in r.nodes and r.state != "Stopped")


def parse_status(text: str) -> Status:
    s = Status()
    section = None
    group, group_indent = None, -1
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.endswith(":") and not stripped.startswith("*"):
            section = stripped[:-1]
            group = None
            continue
        m = DC_RE.search(line)
        if m and "Current DC" in line:
            s.dc = None if m.group(1) == "NONE" else m.group(1)
            s.quorate = m.group(2) == "with"
            continue
        if section == "Node List":
            m = LIST_RE.match(line)
            if m:
                (s.online if m.group(1) == "Online" else s.offline).extend(m.group(2).split())
                continue
            m = NODE_RE.match(line)
            if m:
                s.node_states[m.group(1)] = m.group(2)
                if "offline" in m.group(2).lower():
                    s.offline.append(m.group(1))
                else:
                    s.online.append(m.group(1))
        elif section == "Full List of Resources":
            m = GROUP_RE.match(line)
            if m:
                group, group_indent = m.group(2), len(m.group(1))
                continue
            m = RESOURCE_RE.match(line)
            if m:
                indent, rid, agent, state, node, rest = m.groups()
                if group is not None and len(indent) <= group_indent:
                    group = None
                tail = ((node or "") + rest).strip()
                many = re.search(r"\[ (.*) \]", tail)
                if many:
                    nodes, tail = many.group(1).split(), tail[:many.start()].strip()
                elif node and not node.startswith("("):
                    nodes, tail = [node], rest.strip()
                else:
                    nodes = []
                flags = tail
                s.resources[rid] = Resource(rid, agent, state, nodes, group, flags)
        elif section == "Failed Resource Actions":
            m = FAILED_RE.match(line)
            if m:
                s.failed.append(FailedAction(m.group(1), m.group(2), m.group(3),
                                             int(m.group(4))))
    return s
