package io.chubby.sim;

import io.chubby.api.NodePath;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.state.Anchor;
import io.chubby.cell.internal.state.CellState;
import io.chubby.cell.internal.state.HandleRecord;
import io.chubby.cell.internal.state.Node;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The cross-partition checks of the directory workload (docs/PARTITIONING.md section 6), in a cell
 * of more than one partition, over the directories of {@link CellSimulation#dirs} whose node
 * lives in the workload group C and whose children live in another group H (plain and ephemeral):
 * <ul>
 *   <li><b>no child without its directory</b>, after every event on every replica: a directory
 *   that has children in H has a LIVE anchor there (a create is admitted only under a LIVE anchor,
 *   a seal only when there are no children, so a child under a SEALED or DROPPED anchor, or none,
 *   is an orphan in the making); and at quiescence (every group converged, no intent open) a LIVE
 *   anchor's directory exists in C with the anchor's instance and a directory of C is anchored in
 *   H with its instance;</li>
 *   <li><b>no lost create</b>, at quiescence: every file whose create a client saw acknowledged is
 *   in its group's state unless that client went on to delete it;</li>
 *   <li><b>no ephemeral directory left behind</b> (4.3): the cell is quiescent only once no
 *   ephemeral directory of the workload exists in C with no handle open (of a live session) and
 *   no child in its children's group; a reap that never comes (a lost hint) keeps the cell from
 *   quiescence until the convergence bound fails the run, naming the directory ({@link #reapsOwed}).
 *   Such a directory with a child may stay ({@link CellChecks} lets it outlive its sessions).</li>
 * </ul>
 */
final class DirectoryChecks {
    private final CellSimulation sim;
    /** Acknowledged creates not (yet) followed by a delete attempt, with the true time of the acknowledgement. */
    private final Map<String, Long> created = new LinkedHashMap<>();
    private final TreeSet<String> deleting = new TreeSet<>();
    long mkdirs;
    long rmdirs;
    long notEmpty;
    long fileCreates;
    long fileDeletes;
    /** The ephemeral directories' workload: handles opened, closed, sessions let end holding one, children created. */
    long ephemeralOpens;
    long ephemeralCloses;
    long sessionsLetGo;
    long ephemeralChildren;
    /** Ephemeral directories of the workload seen gone from C (at the first apply of each entry). */
    long ephemeralsReaped;
    /** Per replica and directory, the applied index (and incarnation) of the children's group last checked. */
    private long[][] checkedAt;

    DirectoryChecks(CellSimulation sim) {
        this.sim = sim;
    }

    void created(String path) {
        fileCreates++;
        if (sim.dirs.ephemeral(sim.dirs.of(path))) {
            ephemeralChildren++;
        }
        if (!deleting.contains(path)) {
            created.put(path, sim.now);
        }
    }

    void deleting(String path) {
        deleting.add(path);
        created.remove(path);
    }

    /** After every event: on every replica, no children of a crossing directory under an anchor that is not LIVE. */
    void afterEvent() {
        if (checkedAt == null) {
            checkedAt = new long[sim.replicas.size() + 1][sim.dirs.count()];
        }
        for (SimCellReplica r : sim.replicas) {
            if (!r.up()) {
                continue;
            }
            for (int k = 0; k < sim.dirs.count(); k++) {
                int h = sim.dirs.childrenPartition(k);
                if (h == sim.workloadGroup) {
                    continue;
                }
                CellStateMachine m = r.group(h).machine;
                if (m == null) {
                    continue;
                }
                long at = (m.appliedIndex() << 16) + r.incarnation;
                if (checkedAt[r.id][k] == at) {
                    continue; // nothing applied in that group here since the last check
                }
                checkedAt[r.id][k] = at;
                String dir = sim.dirs.directory(k);
                String broken = m.read(s -> orphans(s, dir));
                if (broken != null) {
                    throw new SimulationFailure("replica " + r.id + " group " + h + ": " + broken);
                }
            }
        }
    }

    private static String orphans(CellState s, String dir) {
        var children = s.children(dir);
        if (children.isEmpty()) {
            return null;
        }
        Anchor a = s.directories().anchor(key(dir));
        if (a == null || a.state() != Anchor.State.LIVE) {
            return "child " + dir + "/" + children.get(0).name() + " without its directory (anchor "
                    + (a == null ? "none" : a.state() + " of instance " + a.instance()) + ", " + children.size()
                    + " children, applied " + s.appliedIndex() + ")";
        }
        return null;
    }

    /**
     * Whether no group of any replica has a directory intent open (the replicas are up), and no
     * reap is owed: ReapHints' requests live in a master's memory only, so an ephemeral directory
     * with neither a handle nor a child is a reap still to come.
     */
    boolean quiescent() {
        for (SimCellReplica r : sim.replicas) {
            for (int g = 0; g < sim.partitions; g++) {
                CellStateMachine m = r.group(g).machine;
                if (m == null || !m.read(s -> s.directories().intents().isEmpty())) {
                    return false;
                }
            }
        }
        return reapsOwed().isEmpty();
    }

    /**
     * The ephemeral directories of the workload that some replica still holds in C with no handle
     * of a live session open on them and no child in their children's group (its own state of H):
     * each must still be reaped. Empty at quiescence.
     */
    String reapsOwed() {
        StringBuilder owed = new StringBuilder();
        for (SimCellReplica r : sim.replicas) {
            CellStateMachine c = r.group(sim.workloadGroup).machine;
            for (int k = SimDirectories.PLAIN; k < sim.dirs.count(); k++) {
                String dir = sim.dirs.directory(k);
                Node n = c == null ? null : c.read(s -> s.nodeAt(dir));
                if (n == null || !n.ephemeral() || c.read(s -> held(s, n))) {
                    continue;
                }
                CellStateMachine h = r.group(sim.dirs.childrenPartition(k)).machine;
                if (h != null && h.read(s -> s.children(dir).isEmpty())) {
                    owed.append(" replica ").append(r.id).append(": ephemeral ").append(dir).append(" (instance ")
                            .append(n.instance()).append(") has no handle open and no child in group ")
                            .append(sim.dirs.childrenPartition(k)).append(';');
                }
            }
        }
        return owed.toString();
    }

    /** Whether a live session has a handle open on node {@code n}. */
    static boolean held(CellState s, Node n) {
        for (HandleRecord h : s.handlesOn(n.instance())) {
            if (s.hasSession(h.sessionId())) {
                return true;
            }
        }
        return false;
    }

    /** Once every group converged and no intent is open: C and H agree on every directory, no create is lost. */
    void atQuiescence() {
        for (SimCellReplica r : sim.replicas) {
            for (int k = 0; k < sim.dirs.count(); k++) {
                int h = sim.dirs.childrenPartition(k);
                if (h == sim.workloadGroup) {
                    continue;
                }
                String dir = sim.dirs.directory(k);
                Node node = r.group(sim.workloadGroup).machine.read(s -> s.nodeAt(dir));
                Anchor a = r.group(h).machine.read(s -> s.directories().anchor(key(dir)));
                boolean live = a != null && a.state() == Anchor.State.LIVE;
                if (live && (node == null || node.instance() != a.instance())) {
                    throw new SimulationFailure("replica " + r.id + ": directory " + dir + " is anchored LIVE in group "
                            + h + " (instance " + a.instance() + ") but " + (node == null ? "absent"
                            : "of instance " + node.instance()) + " in group " + sim.workloadGroup
                            + " with no intent open");
                }
                if (node != null && !live) {
                    throw new SimulationFailure("replica " + r.id + ": directory " + dir + " (instance "
                            + node.instance() + ") exists in group " + sim.workloadGroup + " but its anchor in group "
                            + h + " is " + (a == null ? "absent" : a.state()) + " with no intent open");
                }
            }
            for (Map.Entry<String, Long> c : created.entrySet()) {
                String path = c.getKey();
                int h = sim.dirs.childrenPartition(sim.dirs.of(path));
                Node n = r.group(h).machine.read(s -> s.nodeAt(path));
                if (n == null) {
                    throw new SimulationFailure("lost create: " + path + " (acknowledged at " + c.getValue()
                            + " ms, never deleted) is not in group " + h + " of replica " + r.id);
                }
            }
        }
    }

    private static byte[] key(String cellRelative) {
        return NodePath.parse("/ls/" + NodePath.LOCAL_CELL + cellRelative).storageKey();
    }
}
