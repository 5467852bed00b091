#!/usr/bin/env python3
"""List the suite tests the engine does not agree on, grouped by their most likely cause, as
Markdown for the README ("Tests still failing").

  failing_by_cause.py OUT_DIR [OUT_DIR ...]     # folders run_tier.py wrote (tier2, tier3, ...)

A refused CIB is grouped by what pe-simulate named ("<clone> resources are not supported yet");
a disagreement by the first feature of the test (index.tsv `features`) in CAUSE_ORDER that the
engine models least, since a test combines several. This is a reading aid for people, not a
verdict: the grouping names where to look first. Python 3 standard library only.
"""

import collections
import csv
import os
import re
import sys

# Features in the order in which they are the likelier reason for a disagreement.
CAUSE_ORDER = [
    ("bundle", "bundles"),
    ("remote", "remote nodes"),
    ("guest", "guest nodes"),
    ("container", "containers (guest resources)"),
    ("fencing", "fencing in the graph (unclean nodes, fence actions)"),
    ("migration", "live migration (migrate_to/migrate_from)"),
    ("promotable", "promotable clones"),
    ("unique_clone", "globally-unique clones"),
    ("clone", "clones"),
    ("utilization", "utilization and placement strategies"),
    ("node_health", "node health"),
    ("tickets", "tickets"),
    ("resource_sets", "resource sets"),
    ("on_fail", "on-fail handling"),
    ("failcount", "failures and fail-counts"),
    ("pending_op", "pending operations"),
    ("shutdown_lock", "shutdown-lock"),
]
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    shared = os.environ.get("PULSE_SHARED", os.path.join(os.path.dirname(REPO), "shared"))
    suite = os.path.join(shared, "conformance", "pacemaker-2.1.5")
    with open(os.path.join(suite, "index.tsv"), newline="") as f:
        features = {r["name"]: r["features"].split(",") for r in csv.DictReader(f, delimiter="\t")}
    groups = collections.defaultdict(list)
    for out in sys.argv[1:]:
        with open(os.path.join(out, "results.tsv"), newline="") as f:
            for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                if row["ts_loose"] == "yes" and row["placement"] == "yes":
                    continue
                name = row["name"]
                err = ""
                err_path = os.path.join(out, name + ".err")
                if os.path.exists(err_path):
                    with open(err_path, errors="replace") as e:
                        err = e.read()
                refused = re.search(r"\): (.*not supported yet)", err)
                if row["rc"] != "0" and refused:
                    cause = "refused: " + re.sub(r"'[^']*'", "X", refused.group(1))
                elif row["rc"] != "0":
                    cause = "refused: other error"
                else:
                    cause = next((why for feat, why in CAUSE_ORDER if feat in features[name]),
                                 "other (primitives, groups, constraints)")
                groups[cause].append(name)
    total = sum(len(v) for v in groups.values())
    print(f"{total} tests do not agree:\n")
    for cause, names in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        print(f"- **{cause}** ({len(names)}): " + ", ".join(sorted(names)))


if __name__ == "__main__":
    main()
