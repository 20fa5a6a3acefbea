package io.chubby.sim;

import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.CommandCodec;
import io.chubby.cell.internal.state.Result;
import io.chubby.paxos.core.Entry;
import java.util.HashMap;
import java.util.Map;

/**
 * The access-control check in the partitions other than A (seeds with access control and more than
 * one partition; A = the ACL files' partition, the workload's): at the first apply of every entry
 * of such a group, a creation or write by {@code odd} that {@link SimAcl} gates must find the gate
 * open as partition A's log has it through the highest entry any replica of A has applied (the
 * gate as of A's latest applied write). The authorizer there decided on the partition's copy of
 * the gate (docs/PARTITIONING.md section 4.3), so this is what the copies' protocol promises: A
 * proposes a write of the gate only after every other group applied a pending copy, which refuses
 * every guard naming the gate until the final copy, so an entry admitted on the old version is
 * either ordered before the pending copy (first applied before A's write can even be proposed) or
 * refused. Planted {@code ACL_COPY_SKIPPED} (a group skips the pending copies) breaks it. A copy
 * the group refuses (it is A, or the path is no ACL file) is a failure too.
 */
final class AclCopyChecks {
    private final CellSimulation sim;
    /** The highest index checked per group (a later replica's apply of it is not the first). */
    private final Map<Integer, Long> checkedThrough = new HashMap<>();
    /** The highest entry of A applied on any replica so far, and the gate's contents right after it (null: absent). */
    private long aclGroupIndex;
    private byte[] gate;
    long copiesApplied;
    long gatedApplied;

    AclCopyChecks(CellSimulation sim) {
        this.sim = sim;
    }

    /** After a replica applied entry {@code e} of A: the gate as of A's highest applied entry. */
    void aclGroupApplied(CellStateMachine machine, Entry e) {
        if (e.index() <= aclGroupIndex) {
            return;
        }
        aclGroupIndex = e.index();
        gate = machine.read(sim.authorizer::gateContents);
    }

    /** After a replica applied entry {@code e} of {@code group}, a group other than A, with {@code resultBytes}. */
    void afterApply(int group, CellStateMachine machine, Entry e, byte[] resultBytes) {
        if (e.index() <= checkedThrough.getOrDefault(group, 0L)) {
            return;
        }
        checkedThrough.put(group, e.index());
        if (e.value().length == 0) {
            return;
        }
        Result result = Result.decode(resultBytes);
        Command command = CommandCodec.decode(e.value());
        if (command instanceof Command.AclCopy copy) {
            if (result instanceof Result.Failed f) {
                throw new SimulationFailure("group " + group + " refused entry " + e.index() + ", a copy of "
                        + copy.path() + " from A: " + f.code() + " " + f.message());
            }
            copiesApplied++;
            return;
        }
        if (result instanceof Result.Failed) {
            return;
        }
        String node = machine.read(s -> sim.authorizer.gatedByOdd(s, command, result));
        if (node == null) {
            return;
        }
        gatedApplied++;
        String broken = sim.authorizer.violation(node, e.index(), gate);
        if (broken != null) {
            throw new SimulationFailure("group " + group + ": " + broken + " (decided on the group's copy of "
                    + sim.authorizer.gate + ")");
        }
    }
}
