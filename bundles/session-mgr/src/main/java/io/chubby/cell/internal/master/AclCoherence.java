package io.chubby.cell.internal.master;

import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.cross.CrossCalls;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.state.AclCopies;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.Node;
import io.chubby.cell.internal.state.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A's master side of the ACL copies (docs/PARTITIONING.md section 4.3), {@link CoherentWrites}'
 * rule applied to the other groups: before a write of an ACL file is proposed, every other group's
 * master is sent {@code AclCopy(pending)} through {@link CrossCalls} and the write waits until each
 * has applied it; once the write is applied (or refused) each is sent the final copy, and the
 * writer is answered when each has applied that. ACL writes (and a new master's re-sending of final
 * copies at takeover) run one at a time, so a copy never ends the pending of a write still under
 * way. A call that fails is sent again at the next timer step while this replica is master; a lost
 * mastership fails what is left (nothing more is proposed; the next master re-sends final copies).
 * Inactive (every call passes straight through) outside group A of a partitioned cell. Thread-safe.
 */
public final class AclCoherence {
    private static final Logger log = LoggerFactory.getLogger(AclCoherence.class);

    private final CellStateMachine machine;
    private final BooleanSupplier isMaster;
    private volatile CrossCalls cross = CrossCalls.NONE;
    private final Object lock = new Object();
    // guarded by lock: the last ACL write or takeover re-send queued; and copies to send again
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private List<Retry> retries = new ArrayList<>();
    /** Masterships lost so far: a copy counts only when applied within the mastership that sent it. */
    private final AtomicLong lost = new AtomicLong();

    /**
     * A copy to group {@code group} whose last call failed, sent in mastership {@code term} (a count
     * of {@link #lost}); {@code done} completes when it is applied there.
     */
    private record Retry(int group, Supplier<Command> copy, CompletableFuture<Void> done, long term) {
    }

    AclCoherence(CellStateMachine machine, BooleanSupplier isMaster) {
        this.machine = machine;
        this.isMaster = isMaster;
    }

    /** The channel to the other groups' masters (set by the host of several groups). */
    public void crossCalls(CrossCalls calls) {
        this.cross = calls;
    }

    /** Whether a write of {@code cellRelative} follows the copy protocol here (an ACL file, this group A). */
    boolean covers(String cellRelative) {
        return AclCopies.isAclFile(cellRelative) && machine.read(s -> s.aclCopies().holdsAclFiles());
    }

    /**
     * Runs {@code write} (the proposal of a write of {@code cellRelative}) under the copy protocol
     * when it covers the path, else at once. The result completes after the final copies were
     * applied (or this replica stopped being master meanwhile); it fails without proposing if the
     * pending copies could not all be placed.
     */
    <T> CompletableFuture<T> around(String cellRelative, Supplier<CompletableFuture<T>> write) {
        if (!covers(cellRelative)) {
            return write.get();
        }
        CompletableFuture<T> out = new CompletableFuture<>();
        serialized(() -> everyOtherGroup(cellRelative, true).thenCompose(v -> {
            CompletableFuture<T> w = write.get();
            return w.handle((r, e) -> null)
                    .thenCompose(x -> everyOtherGroup(cellRelative, false).handle((y, e) -> null))
                    .whenComplete((x, e) -> w.whenComplete((r, err) -> {
                        if (err != null) {
                            out.completeExceptionally(err);
                        } else {
                            out.complete(r);
                        }
                    }));
        }).whenComplete((v, e) -> {
            if (e != null) {
                out.completeExceptionally(e); // pendings not all placed: nothing was proposed
            }
        }));
        return out;
    }

    /** A new master of A (settled): sends the final copy of every ACL file, ending pendings left by its predecessor. */
    void tookOver() {
        if (!machine.read(s -> s.aclCopies().holdsAclFiles())) {
            return;
        }
        serialized(() -> {
            List<String> files = machine.read(s -> {
                List<String> out = new ArrayList<>();
                for (DirEntry e : s.children(AclCopies.DIRECTORY)) {
                    out.add(AclCopies.DIRECTORY + "/" + e.name());
                }
                return out;
            });
            List<CompletableFuture<Void>> all = new ArrayList<>();
            files.forEach(f -> all.add(everyOtherGroup(f, false)));
            log.info("ACL copies re-sent at takeover files={}", files.size());
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        });
    }

    /** Timer step on the master: sends again every copy whose last call failed. */
    void drive() {
        takeRetries().forEach(r -> send(r.group(), r.copy(), r.done(), r.term()));
    }

    /**
     * Mastership lost: every copy waiting to be sent again fails, and so does every call still in
     * flight when it is answered, so a write whose pending copies were not all placed in this
     * mastership is never proposed (not even by this replica once master again, when another
     * master's takeover may have ended some of those pendings meanwhile), a write proposed is
     * answered, and the next ACL write or takeover re-send is not kept waiting.
     */
    void lostMastership() {
        lost.incrementAndGet();
        takeRetries().forEach(r -> notMaster(r.group(), r.done()));
    }

    private static void notMaster(int group, CompletableFuture<Void> done) {
        done.completeExceptionally(ChubbyException.of(ErrorCode.NOT_MASTER, "this replica stopped being the "
                + "master of the ACL files' group while their copy to group %d was under way", group));
    }

    private List<Retry> takeRetries() {
        synchronized (lock) {
            List<Retry> now = retries;
            retries = new ArrayList<>();
            return now;
        }
    }

    private void serialized(Supplier<CompletableFuture<?>> step) {
        synchronized (lock) {
            tail = tail.thenCompose(v -> {
                try {
                    return step.get();
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }).handle((r, e) -> null);
        }
    }

    /** Sends the copy of {@code path} (pending, or final as applied here now) to every other group; done when all applied it. */
    private CompletableFuture<Void> everyOtherGroup(String path, boolean pending) {
        int[] layout = machine.read(s -> new int[] {s.layout().count(), s.group()});
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int g = 0; g < layout[0]; g++) {
            if (g != layout[1]) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                int to = g;
                send(to, () -> copy(path, pending), done, lost.get());
                all.add(done);
            }
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    private void send(int group, Supplier<Command> copy, CompletableFuture<Void> done, long term) {
        if (!isMaster.getAsBoolean() || lost.get() != term) {
            notMaster(group, done);
            return;
        }
        cross.call(group, copy.get()).whenComplete((r, e) -> {
            if (lost.get() != term) {
                notMaster(group, done);
            } else if (e == null && !(r instanceof Result.Failed)) {
                done.complete(null);
            } else {
                log.debug("ACL copy to group {} not applied yet: {}", group, e != null ? e : r);
                synchronized (lock) {
                    retries.add(new Retry(group, copy, done, term));
                }
            }
        });
    }

    /** The copy of {@code path} to send now: stamped 2 x this group's applied index (+1 when pending). */
    private Command copy(String path, boolean pending) {
        return machine.read(s -> {
            long stamp = 2 * s.appliedIndex() + (pending ? 1 : 0);
            Node n = s.nodeAt(path);
            if (pending || n == null) {
                return new Command.AclCopy(path, 0, 0, null, !pending, pending, stamp);
            }
            return new Command.AclCopy(path, n.instance(), n.contentGeneration(), n.contents(), false, false, stamp);
        });
    }
}
