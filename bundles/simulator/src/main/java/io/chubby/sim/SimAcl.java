package io.chubby.sim;

import io.chubby.api.Stat;
import io.chubby.cell.internal.state.CellState;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.HandleRecord;
import io.chubby.cell.internal.state.Node;
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
 * authorizer. Register {@code /r0} plays an ACL file that clients rewrite all the time (it is an
 * ordinary register of the workload): a write of another register by {@code odd} is allowed only
 * while {@code /r0} holds an odd number (or nothing), and the allow names the version of
 * {@code /r0} it read. The check, after every applied entry: no write of a register other than
 * {@code /r0} by a session of {@code odd} is applied while {@code /r0} holds an even number, which
 * is exactly what the master's decide-before-proposing rule with its compare-at-apply guard
 * promises, whatever the faults do between the decision and the apply.
 */
final class SimAcl implements Authorizer {
    static final String GATE = "/r0";
    static final Principal EVEN = new Principal("even", Principal.Mechanism.TLS_CERTIFICATE);
    static final Principal ODD = new Principal("odd", Principal.Mechanism.PASSWORD);

    static Principal principalOf(int clientId) {
        return clientId % 2 == 0 ? EVEN : ODD;
    }

    @Override
    public Decision authorize(CellRequest request, NamespaceView namespace) {
        if (request.operation() != CellOperation.SET_CONTENTS || !request.principal().equals(ODD)
                || request.path() == null || request.path().cellRelative().equals(GATE)) {
            return Decision.allow();
        }
        Stat gate = namespace.stat(GATE);
        if (gate == null) {
            return Decision.allow(List.of(AclFileVersion.absent(GATE)));
        }
        if (!open(namespace.contents(GATE))) {
            return Decision.deny("odd may not write " + request.path() + " while " + GATE + " is even");
        }
        return Decision.allow(List.of(new AclFileVersion(GATE, gate.instance(), gate.contentGeneration())));
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

    /**
     * The invariant after entry {@code index} was applied with {@code command} (null: a no-op) and
     * did not fail; null when it holds, else what broke.
     */
    static String violation(CellState s, Command command, long index) {
        if (command == null || !(Command.unguarded(command) instanceof Command.SetContents sc)) {
            return null;
        }
        SessionRecord session = s.session(sc.sessionId());
        HandleRecord h = s.handle(sc.handleId());
        if (session == null || h == null || !session.principal().equals(ODD.name()) || h.path().equals(GATE)) {
            return null;
        }
        Node gate = s.nodeAt(GATE);
        if (gate != null && !open(gate.contents())) {
            return "entry " + index + " applied a write of " + h.path() + " by odd while " + GATE + " holds "
                    + new String(gate.contents(), StandardCharsets.UTF_8) + " (an admission the apply did not check "
                    + "again: the ACL changed between the decision and the apply)";
        }
        return null;
    }
}
