#!/bin/sh
# Runs a command in a private network namespace whose loopback is up, so that a test can bind
# fixed ports (the membership's UDP 5405) without meeting anything else on this machine.
# Exit 77 (skipped) when network namespaces cannot be made (not root).
unshare --net true 2>/dev/null || { echo "SKIPPED: needs unshare --net (root)"; exit 77; }
exec unshare --net sh -c 'ip link set lo up && exec "$@"' in_netns "$@"
