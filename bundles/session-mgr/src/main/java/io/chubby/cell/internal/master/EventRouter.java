package io.chubby.cell.internal.master;

import com.google.protobuf.ByteString;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.state.CellState;
import io.chubby.cell.internal.state.HandleRecord;
import io.chubby.cell.internal.state.Node;
import io.chubby.cell.internal.state.NodeChange;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the {@link NodeChange}s of an applied entry into events for the handles subscribed to
 * them (SPEC 6), so events follow the log order and are the same whichever master routes them:
 * CONTENTS_MODIFIED and HANDLE_INVALID to handles on the node; CHILD_ADDED, CHILD_REMOVED and
 * CHILD_MODIFIED to handles on its parent directory, or, when the parent's node lives in another
 * group, to anchor handles on it here (docs/PARTITIONING.md 4.3). Each event names the subscribing handle
 * (its bytes) and its path; CHILD_* events name the child. Generation: content generation for
 * modifications, node instance for creations, deletions and invalid handles.
 *
 * <p>Threads: called on the apply thread only; queues into {@link SessionLeases}.
 */
public final class EventRouter {
    private record Routed(long sessionId, EventMessage.Builder event) {
    }

    private final CellStateMachine machine;
    private final SessionLeases leases;

    public EventRouter(CellStateMachine machine, SessionLeases leases) {
        this.machine = machine;
        this.leases = leases;
    }

    public void route(List<NodeChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        List<Routed> out = machine.read(s -> events(s, changes));
        for (Routed r : out) {
            leases.queueEvent(r.sessionId(), r.event());
        }
    }

    private static List<Routed> events(CellState s, List<NodeChange> changes) {
        List<Routed> out = new ArrayList<>();
        for (NodeChange c : changes) {
            switch (c.kind()) {
                case CREATED -> toParent(s, c, EventKind.CHILD_ADDED, c.instance(), out);
                case MODIFIED -> {
                    if (c.contentsChanged()) {
                        toNode(s, c, EventKind.CONTENTS_MODIFIED, c.contentGeneration(), out);
                    }
                    toParent(s, c, EventKind.CHILD_MODIFIED, c.contentGeneration(), out);
                }
                case DELETED -> {
                    toNode(s, c, EventKind.HANDLE_INVALID, c.instance(), out);
                    toParent(s, c, EventKind.CHILD_REMOVED, c.instance(), out);
                }
            }
        }
        return out;
    }

    private static void toNode(CellState s, NodeChange c, EventKind kind, long generation, List<Routed> out) {
        for (HandleRecord h : s.handlesOn(c.instance())) {
            if (subscribed(h, kind)) {
                out.add(new Routed(h.sessionId(), event(s, h, kind, generation).clearChild()));
            }
        }
    }

    private static void toParent(CellState s, NodeChange c, EventKind kind, long generation, List<Routed> out) {
        String parent = c.parentPath();
        Node p = parent == null ? null : s.nodeAt(parent);
        if (p == null && parent != null) {
            // The parent's node is in another group: anchor handles on it hear of its children here (4.3).
            for (HandleRecord h : s.anchorHandlesOn(parent)) {
                if (subscribed(h, kind)) {
                    out.add(new Routed(h.sessionId(), event(s, h, kind, generation).setChild(c.name())));
                }
            }
            return;
        }
        if (p == null) {
            return;
        }
        for (HandleRecord h : s.handlesOn(p.instance())) {
            if (subscribed(h, kind)) {
                out.add(new Routed(h.sessionId(), event(s, h, kind, generation).setChild(c.name())));
            }
        }
    }

    private static boolean subscribed(HandleRecord h, EventKind kind) {
        return (h.eventMask() & (1 << kind.getNumber())) != 0;
    }

    private static EventMessage.Builder event(CellState s, HandleRecord h, EventKind kind, long generation) {
        String full = h.path().equals("/") ? "/ls/" + s.cell() : "/ls/" + s.cell() + h.path();
        return EventMessage.newBuilder().setKind(kind).setPath(full).setGeneration(generation)
                .setHandle(ByteString.copyFrom(h.token().encode(s.secret())));
    }
}
