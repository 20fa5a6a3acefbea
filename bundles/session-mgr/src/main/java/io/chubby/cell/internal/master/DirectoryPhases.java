package io.chubby.cell.internal.master;

import io.chubby.cell.internal.state.CellState;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.DirIntent;
import io.chubby.cell.internal.state.Node;
import io.chubby.cell.internal.state.Result;
import io.chubby.cell.internal.state.Result.DirOutcome.Outcome;
import java.util.Optional;

/**
 * The phase machine of a directory intent, as C's master runs it (docs/PARTITIONING.md sections
 * 4.2-4.3): for an open intent, the call to send to H; for H's answer, the command to propose in C.
 * Pure: a function of the replicated intent (and C's node for the ACL names), so a new master
 * resumes every intent from the state alone, and a duplicated or late answer yields a command the
 * apply ignores.
 */
public final class DirectoryPhases {
    private DirectoryPhases() {
    }

    /** The command H applies next for this intent: AnchorDir, SealDir or DropAnchor. */
    public static Command callFor(CellState c, DirIntent i) {
        return switch (i.phase()) {
            case ANCHORING -> {
                Node n = c.nodeAt(i.path());
                yield n == null || n.instance() != i.instance()
                        ? new Command.AnchorDir(i.path(), i.instance(), "", "", "", 0, false)
                        : new Command.AnchorDir(i.path(), i.instance(), n.readAcl(), n.writeAcl(), n.changeAcl(),
                                n.aclGeneration(), n.ephemeral());
            }
            case SEALING -> new Command.SealDir(i.path(), i.instance(), i.txid());
            case DROPPING -> new Command.DropAnchor(i.path(), i.instance(), i.txid());
        };
    }

    /**
     * What C proposes on H's answer to the call made for {@code i}; empty when the answer is a
     * failure (not applied in H: the call is re-sent).
     */
    public static Optional<Command> followUp(DirIntent i, Result answer) {
        if (!(answer instanceof Result.DirOutcome d)) {
            return Optional.empty();
        }
        return Optional.of(switch (i.phase()) {
            case ANCHORING, DROPPING -> new Command.DirIntentDone(i.txid(), Outcome.APPLIED);
            case SEALING -> d.outcome() == Outcome.NOT_EMPTY
                    ? new Command.DirIntentDone(i.txid(), Outcome.NOT_EMPTY)
                    : new Command.DeleteSealedDir(i.txid());
        });
    }
}
