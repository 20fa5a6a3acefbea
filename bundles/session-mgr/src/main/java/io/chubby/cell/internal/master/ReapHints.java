package io.chubby.cell.internal.master;

import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.cell.internal.cross.CrossCalls;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.state.Anchor;
import io.chubby.cell.internal.state.CellState;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.NodeChange;
import io.chubby.cell.internal.state.Result;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The master's requests to reap ephemeral directories whose node lives in another group than their
 * children (docs/PARTITIONING.md 4.3): as H, when an applied entry removed the last child of D and
 * D's anchor is ephemeral, and at takeover for every such anchor without children; as C, for the
 * reaps an entry deferred (it opens one intent itself), and at takeover for every ephemeral
 * directory here with no handle and no intent open whose children live elsewhere. Each is a
 * {@code ReapIfEmpty(D, instance)} proposed in D's group through {@link CrossCalls}, sent again at
 * each timer step until that group applied it (opening the REAP_DIR intent, or not: a handle open, D gone) and while it answers
 * CELL_UNAVAILABLE (another intent on D still open, which may be a reap H just refused). A request
 * is only a hint: C decides at apply, H's seal decides emptiness, so a lost one costs a leak until
 * the next takeover of H (a child's removal) or of C (a deferred reap) and a stale one nothing.
 *
 * <p>Threads: the apply thread notes, the timer sends. Thread-safe.
 */
final class ReapHints {
    private final CellStateMachine machine;
    private final BooleanSupplier isMaster;
    private final Supplier<CrossCalls> cross;
    /** Cell-relative path of D to the instance to reap. */
    private final Map<String, Long> wanted = new HashMap<>();
    private final Set<String> inFlight = new HashSet<>();

    ReapHints(CellStateMachine machine, BooleanSupplier isMaster, Supplier<CrossCalls> cross) {
        this.machine = machine;
        this.isMaster = isMaster;
        this.cross = cross;
    }

    /** Apply thread, after every entry: on the master, notes the directories it may have emptied or deferred. */
    void applied() {
        if (!isMaster.getAsBoolean()) {
            return;
        }
        List<Command.ReapIfEmpty> found = machine.read(ReapHints::candidates);
        if (found.isEmpty()) {
            return;
        }
        synchronized (this) {
            found.forEach(r -> wanted.put(r.path(), r.instance()));
        }
    }

    /**
     * This replica's takeover settled (once per takeover): asks again, as H, for every ephemeral
     * anchor here without children, and, as C, for every ephemeral directory here whose children live
     * elsewhere with no handle and no intent open: a reap its predecessor deferred and did not ask for
     * before it died is among them (a non-empty one's reap ends NOT_EMPTY).
     */
    void tookOver() {
        List<Command.ReapIfEmpty> found = machine.read(s -> {
            List<Command.ReapIfEmpty> out = new ArrayList<>();
            s.directories().liveEphemeralAnchors().forEach((path, instance) -> {
                if (s.children(path).isEmpty()) {
                    out.add(new Command.ReapIfEmpty(path, instance));
                }
            });
            s.directories().idleEphemeralDirectories().forEach((path, instance) ->
                    out.add(new Command.ReapIfEmpty(path, instance)));
            return out;
        });
        synchronized (this) {
            found.forEach(r -> wanted.put(r.path(), r.instance()));
        }
    }

    /** One timer step on the master: sends every request not awaiting an answer. */
    void drive() {
        List<Command.ReapIfEmpty> toSend = new ArrayList<>();
        synchronized (this) {
            wanted.forEach((path, instance) -> {
                if (inFlight.add(path)) {
                    toSend.add(new Command.ReapIfEmpty(path, instance));
                }
            });
        }
        for (Command.ReapIfEmpty r : toSend) {
            int group = machine.read(s -> s.layout().partitionOf(absolute(s, r.path())));
            cross.get().call(group, r).whenComplete((answer, err) -> {
                synchronized (this) {
                    inFlight.remove(r.path());
                    boolean retry = answer instanceof Result.Failed f && f.code() == ErrorCode.CELL_UNAVAILABLE;
                    if (err == null && !retry) {
                        wanted.remove(r.path(), r.instance()); // applied (an intent opened, or nothing to reap)
                    }
                }
            });
        }
    }

    /** Requests still to be answered (tests). */
    synchronized int waiting() {
        return wanted.size();
    }

    private static List<Command.ReapIfEmpty> candidates(CellState s) {
        if (!s.layout().partitioned()) {
            return List.of(); // one group: no directory crosses, nothing is ever deferred
        }
        List<Command.ReapIfEmpty> out = new ArrayList<>(s.directories().deferredReaps());
        for (NodeChange c : s.nodeChanges()) {
            String parent = c.parentPath();
            if (c.kind() != NodeChange.Kind.DELETED || parent == null) {
                continue;
            }
            NodePath dir = absolute(s, parent);
            if (!s.layout().crossesGroups(dir) || s.layout().partitionOf(dir) == s.group()) {
                continue;
            }
            Anchor a = s.directories().anchor(dir.storageKey());
            if (a != null && a.ephemeral() && a.state() == Anchor.State.LIVE && s.children(parent).isEmpty()) {
                out.add(new Command.ReapIfEmpty(parent, a.instance()));
            }
        }
        return out;
    }

    private static NodePath absolute(CellState s, String cellRelative) {
        return cellRelative.equals("/") ? NodePath.root(s.cell()) : NodePath.parse("/ls/" + s.cell() + cellRelative);
    }
}
