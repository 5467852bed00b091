// Resources that run inside another resource (the "container" meta-attribute names it, a
// VM or a container image, say): Pacemaker's fillers. A filler runs where its container runs,
// starts after it and stops before it, and by default a filler's failure restarts the
// container (on-fail=restart-container) rather than the filler alone. A filler whose
// container is a remote connection, or hosts a guest node, runs on that node instead.
#pragma once

#include "working_set.h"

namespace pulse::pe {

// Sets Resource::container for every primitive whose container meta-attribute names
// another configured resource (Pacemaker's setup_container); runs before the history is
// read, since the failure policy depends on it. Guest connections are linked already.
void linkContainerFillers(WorkingSet& ws);

// The remote connection whose node a filler must run on: its container when that is a
// connection, or the connection of the guest node its container hosts; -1 otherwise.
int fillerRemoteConnection(const WorkingSet& ws, const Resource& filler);

// A filler bound to a remote node may run nowhere else.
void keepFillersOnTheirRemoteNodes(WorkingSet& ws);

}  // namespace pulse::pe
