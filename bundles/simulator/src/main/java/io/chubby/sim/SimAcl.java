package io.chubby.sim;

import io.chubby.api.CreateMode;
import io.chubby.api.NodePath;
import io.chubby.api.Stat;
import io.chubby.cell.internal.state.CellState;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.HandleRecord;
import io.chubby.cell.internal.state.Node;
import io.chubby.cell.internal.state.Result;
import io.chubby.cell.internal.state.SessionRecord;
import io.chubby.spi.AclFileVersion;
import io.chubby.spi.Authorizer;
import io.chubby.spi.CellOperation;
import io.chubby.spi.CellRequest;
import io.chubby.spi.NamespaceView;
import io.chubby.spi.Principal;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Access control under the simulator's faults (issue 16): in the seeds that turn it on, every
 * client is a principal, {@code even} or {@code odd} by its id, and every replica runs this
 * authorizer. A gate file plays an ACL file that clients rewrite all the time: register
 * {@code /r0} in a cell of one partition, the ACL file {@code /acl/gate} (the workload's register
 * 0, in partition A = {@code partitionOfChildren("/acl")}) in a partitioned cell. A write of another
 * register, and the creation of a node (the directory workload's files, in other partitions than
 * A), by {@code odd} is allowed only while the gate holds an odd number (or nothing), and the allow
 * names the version of the gate it read: in a partition other than A that is the partition's copy
 * of the file (docs/PARTITIONING.md section 4.3). The check, after the first apply of every entry:
 * no such write or creation by a session of {@code odd} is applied while the gate, as the most
 * advanced replica of its partition holds it, holds an even number, which is exactly what the
 * master's decide-before-proposing rule with its compare-at-apply guard (and, across partitions,
 * the ACL copies' pending-before-write protocol) promises, whatever the faults do between the
 * decision and the apply.
 */
final class SimAcl implements Authorizer {
    /** The gate of a cell of one partition: a register. */
    static final String REGISTER_GATE = "/r0";
    /** The gate of a partitioned cell: an ACL file. */
    static final String ACL_GATE = "/acl/gate";
    static final Principal EVEN = new Principal("even", Principal.Mechanism.TLS_CERTIFICATE);
    static final Principal ODD = new Principal("odd", Principal.Mechanism.PASSWORD);

    /** The gate file (cell-relative). */
    final String gate;

    SimAcl(String gate) {
        this.gate = gate;
    }

    static Principal principalOf(int clientId) {
        return clientId % 2 == 0 ? EVEN : ODD;
    }

    @Override
    public Decision authorize(CellRequest request, NamespaceView namespace) {
        if (!gated(request)) {
            return Decision.allow();
        }
        Stat stat = namespace.stat(gate);
        if (stat == null) {
            return Decision.allow(List.of(AclFileVersion.absent(gate)));
        }
        if (!open(namespace.contents(gate))) {
            return Decision.deny("odd may not write " + request.path() + " while " + gate + " is even");
        }
        return Decision.allow(List.of(new AclFileVersion(gate, stat.instance(), stat.contentGeneration())));
    }

    /** A write of a file other than the gate, or a creation (CREATE_MUST), by {@code odd}. */
    private boolean gated(CellRequest request) {
        if (!request.principal().equals(ODD) || request.path() == null
                || request.path().cellRelative().equals(gate)) {
            return false;
        }
        return request.operation() == CellOperation.SET_CONTENTS
                || (request.operation() == CellOperation.OPEN && request.create() == CreateMode.MUST);
    }

    /** The gate is open for {@code odd} when it holds nothing or an odd number. */
    static boolean open(byte[] contents) {
        if (contents == null || contents.length == 0) {
            return true;
        }
        try {
            return Long.parseLong(new String(contents, StandardCharsets.UTF_8).trim()) % 2 != 0;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    /** The gate's contents in {@code s}, null when it is absent. */
    byte[] gateContents(CellState s) {
        Node n = s.nodeAt(gate);
        return n == null ? null : n.contents();
    }

    /**
     * The node (cell-relative) a gated write or creation by {@code odd} changed when entry
     * {@code command} was applied with {@code result} (not a failure), else null.
     */
    String gatedByOdd(CellState s, Command command, Result result) {
        Command c = command == null ? null : Command.unguarded(command);
        if (c instanceof Command.SetContents sc) {
            SessionRecord session = s.session(sc.sessionId());
            HandleRecord h = s.handle(sc.handleId());
            return session != null && h != null && session.principal().equals(ODD.name()) && !h.path().equals(gate)
                    ? h.path() : null;
        }
        if (c instanceof Command.Open o && o.create() == CreateMode.MUST && result instanceof Result.Opened op
                && op.created()) {
            SessionRecord session = s.session(o.sessionId());
            return session != null && session.principal().equals(ODD.name())
                    ? NodePath.parse(o.path()).cellRelative() : null;
        }
        return null;
    }

    /**
     * The invariant after entry {@code index} applied a gated write of {@code node} by odd, the
     * gate holding {@code gateContents} (null: absent) in its partition then; null when it holds.
     */
    String violation(String node, long index, byte[] gateContents) {
        if (gateContents != null && !open(gateContents)) {
            return "entry " + index + " applied a write or creation of " + node + " by odd while " + gate + " holds "
                    + new String(gateContents, StandardCharsets.UTF_8) + " (an admission the apply did not check "
                    + "again: the ACL changed between the decision and the apply)";
        }
        return null;
    }
}
