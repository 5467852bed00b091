#!/usr/bin/env python3
"""The layout rules of tests/layout/CMakeLists.txt, on the build graph and the sources.

Usage: check_layout.py TARGETS_TSV SOURCE_ROOT. Prints every broken rule with the target or
file and the offending dependency; exit 1 when any rule is broken.
"""
import os
import re
import sys

# The daemon's parts: linked only by crmd/ itself and by the tests of those parts.
DAEMON_LIBRARIES = {"pulse_crmd", "pulse_admin", "pulse_replication", "pulse_replica",
                    "pulse_controller", "pulse_self_fence", "pulse_metrics", "pulse_http",
                    "pulse_route_check", "pulse_console", "pulse_console_route",
                    "pulse_runtime_stats"}
# What programs outside crmd/ may include of it.
CLIENT_PARTS = {"client", "cib", "executor"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_graph(path):
    graph = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            kind, name, folder, links, includes = (line.rstrip("\n").split("\t") + [""] * 5)[:5]
            if kind != "target":
                continue
            # Cross-directory links carry ::@(directory-id) markers; keep the names only.
            deps = [d for d in links.split(";") if d and not d.startswith("::@")]
            deps = [re.sub(r"^\$<LINK_ONLY:(.*)>$", r"\1", d) for d in deps]
            graph[name] = {"folder": folder, "links": deps,
                           "includes": [i for i in includes.split(";") if i]}
    return graph


def closure(graph, name):
    seen, todo = set(), [name]
    while todo:
        for dep in graph.get(todo.pop(), {}).get("links", []):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def inside(folder, *tops):
    return any(folder == t or folder.startswith(t + "/") for t in tops)


def main():
    graph_path, root = sys.argv[1], sys.argv[2]
    graph = read_graph(graph_path)
    problems = []
    if "pulse_crmd" not in graph or "pcs" not in graph:
        problems.append(f"{graph_path}: the graph lacks pulse_crmd or pcs; is it current?")

    for name, t in sorted(graph.items()):
        if inside(t["folder"], "crmd", "tests"):
            continue
        for dep in sorted(closure(graph, name) & DAEMON_LIBRARIES):
            problems.append(f"target {name} ({t['folder']}) links {dep}, a part of the daemon; "
                            "use crmd/client and crmd/cib")

    engine_src = os.path.join(root, "policy-engine", "src")
    for name, t in sorted(graph.items()):
        if name != "pulse_policy_engine" and any(
                os.path.normpath(i) == os.path.normpath(engine_src) for i in t["includes"]):
            problems.append(f"target {name} sees the policy engine's internal folder "
                            "policy-engine/src; include its public headers as policy-engine/X.h")

    for top in sorted(os.listdir(root)):
        if top.startswith(".") or top.startswith("build") or top in ("crmd", "tests"):
            continue
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if not f.endswith((".cc", ".h")):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, root)
                with open(path, encoding="utf-8", errors="replace") as src:
                    for inc in INCLUDE.findall(src.read()):
                        parts = inc.split("/")
                        if parts[0] == "crmd" and (len(parts) < 3 or parts[1] not in CLIENT_PARTS):
                            problems.append(f"{rel} includes {inc}: outside crmd/ only "
                                            "crmd/client, crmd/cib and crmd/executor are public")

    for p in problems:
        print("layout:", p)
    print(f"layout: {len(graph)} targets checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
