package io.chubby.cell.internal.master;

import io.chubby.api.NodePath;
import io.chubby.cell.internal.cross.CrossCalls;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.DirIntent;
import io.chubby.cell.internal.state.Result;
import io.chubby.cell.internal.state.Result.DirOutcome.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * C's master side of directory intents (docs/PARTITIONING.md sections 4.2-4.3): on every timer step
 * it sends the call of each open intent not already in flight ({@link DirectoryPhases}), and
 * proposes the follow-up when H answers; a failed call is simply sent again at a later step. It
 * keeps no protocol state: a new master resumes every intent from the replicated table. Clients
 * whose call opened an intent wait here for its outcome.
 */
public final class DirectoryIntents {
    private final CellStateMachine machine;
    private final Function<Command, CompletableFuture<Result>> propose;
    private final BooleanSupplier isMaster;
    private final Set<String> inFlight = new HashSet<>();
    private final Map<Long, List<CompletableFuture<Outcome>>> waiters = new HashMap<>();
    private volatile CrossCalls cross = CrossCalls.NONE;
    private final ReapHints reaps;

    DirectoryIntents(CellStateMachine machine, Function<Command, CompletableFuture<Result>> propose,
                     BooleanSupplier isMaster) {
        this.machine = machine;
        this.propose = propose;
        this.isMaster = isMaster;
        this.reaps = new ReapHints(machine, isMaster, () -> cross);
    }

    /** The channel to the other groups' masters (set by the host of several groups). */
    public void crossCalls(CrossCalls calls) {
        this.cross = calls;
    }

    /** One timer step on the master: (re-)sends the call of every open intent not awaiting an answer. */
    void drive() {
        if (!isMaster.getAsBoolean()) {
            return;
        }
        reaps.drive();
        List<Object[]> calls = machine.read(s -> {
            List<Object[]> out = new ArrayList<>();
            for (DirIntent i : s.directories().intents()) {
                NodePath dir = NodePath.parse(i.path().equals("/") ? "/ls/" + s.cell()
                        : "/ls/" + s.cell() + i.path());
                out.add(new Object[] {i, s.layout().partitionOfChildren(dir), DirectoryPhases.callFor(s, i)});
            }
            return out;
        });
        for (Object[] c : calls) {
            DirIntent i = (DirIntent) c[0];
            String key = i.txid() + ":" + i.phase();
            synchronized (this) {
                if (!inFlight.add(key)) {
                    continue;
                }
            }
            cross.call((Integer) c[1], (Command) c[2]).whenComplete((answer, err) -> {
                CompletableFuture<?> next = err != null ? CompletableFuture.completedFuture(null)
                        : DirectoryPhases.followUp(i, answer).map(propose)
                                .orElse(CompletableFuture.completedFuture(null));
                next.whenComplete((r, e) -> {
                    synchronized (this) {
                        inFlight.remove(key);
                    }
                });
            });
        }
    }

    /** This replica's takeover settled: asks for the reaps a predecessor may have left unasked (4.3). */
    void tookOver() {
        reaps.tookOver();
    }

    /**
     * Asks C, the group of directory {@code dir}'s node, what it is (4.3 ResolveDir): a DirOutcome
     * IS_FILE, NO_NODE or IS_DIRECTORY; a failed future when C's master could not be asked.
     */
    public CompletableFuture<Result> resolveDir(NodePath dir) {
        int c = machine.read(s -> s.layout().partitionOf(dir));
        return cross.call(c, new Command.ResolveDir(dir.cellRelative()));
    }

    /** Told of every applied entry: ends the waits of intents that reached their outcome. */
    void applied(Command entry, Result result) {
        reaps.applied();
        if (result instanceof Result.DirOutcome d
                && (d.outcome() == Outcome.DELETED || d.outcome() == Outcome.NOT_EMPTY
                        || (d.outcome() == Outcome.APPLIED && entry instanceof Command.DirIntentDone))) {
            complete(d.txid(), d.outcome());
        }
    }

    /** A delete's outcome for its client: DELETED (D gone: its linearization point) or NOT_EMPTY. */
    public CompletableFuture<Outcome> deleted(long txid, String path, long instance) {
        return await(txid, s -> {
            DirIntent i = s.directories().intent(txid);
            if (i != null && i.phase() != DirIntent.Phase.DROPPING) {
                return null;
            }
            boolean present = s.nodeAt(path) != null && s.nodeAt(path).instance() == instance;
            return present ? Outcome.NOT_EMPTY : Outcome.DELETED;
        });
    }

    /** A directory create's completion for its client: APPLIED once H holds D's anchor and the intent ended. */
    public CompletableFuture<Outcome> created(long txid) {
        return await(txid, s -> s.directories().intent(txid) == null ? Outcome.APPLIED : null);
    }

    private CompletableFuture<Outcome> await(long txid,
                                             Function<io.chubby.cell.internal.state.CellState, Outcome> already) {
        CompletableFuture<Outcome> f = new CompletableFuture<>();
        synchronized (this) {
            waiters.computeIfAbsent(txid, k -> new ArrayList<>()).add(f);
        }
        // Registered first, then read: an outcome applied in between completes it one way or the other.
        Outcome o = machine.read(already);
        if (o != null) {
            synchronized (this) {
                List<CompletableFuture<Outcome>> fs = waiters.get(txid);
                if (fs != null && fs.remove(f) && fs.isEmpty()) {
                    waiters.remove(txid);
                }
            }
            f.complete(o);
        }
        return f;
    }

    /**
     * The txid of the open intent on the directory at {@code path} of {@code instance}, or 0. Matched
     * by instance among all the path's intents: a directory re-created while the delete of its
     * previous instance is still dropping that instance's anchor has two (found by
     * {@code CrossCallsTest}: the first one alone answered the create before H held its anchor).
     */
    public long openIntentOn(String path, long instance) {
        return machine.read(s -> {
            DirIntent i = s.directories().intentOn(path, instance);
            return i == null ? 0L : i.txid();
        });
    }

    private void complete(long txid, Outcome o) {
        List<CompletableFuture<Outcome>> fs;
        synchronized (this) {
            fs = waiters.remove(txid);
        }
        if (fs != null) {
            fs.forEach(f -> f.complete(o));
        }
    }
}
