package io.chubby.testkit;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusListener;
import io.chubby.spi.ConsensusStatus;
import io.chubby.spi.Member;
import io.chubby.spi.StateMachine;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link Consensus} whose log and mastership the test drives: one replica's view of a cell, with
 * no peers. A proposal made while this replica is master is applied at once to the registered
 * {@link StateMachine}, as the next index and a batch of one, and its future completes with the
 * result; or, while {@link #hold() held}, it waits until {@link #release()}. The test switches the
 * master and epoch with {@link #failOver} (or {@link #becomeMaster} / {@link #loseMastership}), and
 * listeners hear of it in the order the real replica uses: {@code lostMastership},
 * {@code masterChanged}, {@code becameMaster}. Losing mastership fails held proposals with
 * NOT_MASTER, as the real replica fails its pending ones; a {@link #lapse} of the lease at the same
 * epoch keeps them, as the real replica does.
 *
 * <p>Not modelled: peers, replication between instances (several fakes with the same master are
 * separate logs), the empty barrier entry a real new master writes, leases and timing.
 *
 * <p>Threads: any thread may propose, switch the view or read it. Applies, the completion of
 * proposal futures and listener calls are serialised by one lock, as the real replica does them
 * one at a time on its apply thread; they run on the thread that proposes (or releases, or
 * switches the view), so a test sees their effects as soon as its call returns. The view
 * ({@link #isMaster()}, {@link #epoch()}, {@link #masterId()}, {@link #members()}) and
 * {@link #status()} are read without that lock.
 */
public final class FakeConsensus implements Consensus {
    /** The members used when the test does not name any: three replicas on 127.0.0.1. */
    public static final List<Member> THREE_REPLICAS = Member.parseList(
            "1@127.0.0.1:7001:7101,2@127.0.0.1:7002:7102,3@127.0.0.1:7003:7103");

    /** Who is master at which epoch, as this replica believes; published as one value. */
    private record View(int masterId, long epoch) {
    }

    private final Object applyLock = new Object();
    private final int selfId;
    private final List<ConsensusListener> listeners = new CopyOnWriteArrayList<>();
    private volatile List<Member> members;
    private volatile View view;
    /** Inside {@link #lapse()}: the lease lapsed, the view (master, epoch) unchanged. */
    private volatile boolean lapsed;
    // guarded by applyLock
    private final Deque<Runnable> held = new ArrayDeque<>();
    private final List<CompletableFuture<byte[]>> heldFutures = new ArrayList<>();
    // written under applyLock; volatile so that status() reads it without that lock
    private volatile StateMachine machine;
    private boolean holding;
    /** The proposal (counted from 1) that is applied but reported NOT_MASTER; 0: none. */
    private int failAfterCommitIn;
    /** Scripted outcome of the next proposal ({@link #refuseNextProposal}, {@link #failNextProposal}); null when none. */
    private ChubbyException nextRefusal;
    private Throwable nextFailure;
    private int proposals;

    /** Replica 1 of {@link #THREE_REPLICAS}, master at epoch 1. */
    public FakeConsensus() {
        this(THREE_REPLICAS, 1);
    }

    /** Replica {@code selfId} of {@code members}, master at epoch 1. */
    public FakeConsensus(List<Member> members, int selfId) {
        this(members, selfId, selfId, 1);
    }

    /**
     * Replica {@code selfId} of {@code members}, believing {@code masterId} (0: none known) is
     * master at {@code epoch}.
     */
    public FakeConsensus(List<Member> members, int selfId, int masterId, long epoch) {
        this.selfId = selfId;
        this.members = checkedMembers(members, selfId);
        this.view = new View(masterId, epoch);
    }

    private static List<Member> checkedMembers(List<Member> members, int selfId) {
        if (members.stream().noneMatch(m -> m.id() == selfId)) {
            throw new IllegalArgumentException("replica " + selfId + " is not in members " + members);
        }
        return List.copyOf(members);
    }

    // ------------------------------------------------------------------ what the test drives

    /**
     * The view changes to {@code masterId} (0: none known) at {@code epoch}; listeners are told as
     * the real replica tells them: {@code lostMastership} if this replica stops being master (or
     * its epoch ends), {@code masterChanged} if the master or epoch changed, {@code becameMaster}
     * if this replica now is master.
     */
    public void failOver(int masterId, long epoch) {
        synchronized (applyLock) {
            View old = view;
            View now = new View(masterId, epoch);
            view = now;
            boolean wasMaster = old.masterId() == selfId;
            boolean isMaster = masterId == selfId;
            if (wasMaster && (!isMaster || epoch != old.epoch())) {
                failHeld();
                listeners.forEach(l -> l.lostMastership(old.epoch()));
            }
            if (!old.equals(now)) {
                listeners.forEach(l -> l.masterChanged(masterId, epoch));
            }
            if (isMaster && (!wasMaster || epoch != old.epoch())) {
                listeners.forEach(l -> l.becameMaster(epoch));
            }
        }
    }

    /** This replica becomes master at {@code epoch}. */
    public void becomeMaster(long epoch) {
        failOver(selfId, epoch);
    }

    /** Replica {@code newMasterId} (0: none known) takes over, at the current epoch. */
    public void loseMastership(int newMasterId) {
        failOver(newMasterId, view.epoch());
    }

    /**
     * This master's lease lapses and comes back at the same epoch, no other master in between:
     * listeners hear {@code lostMastership(epoch)} (while {@link #isMaster()} is false) and then
     * {@code becameMaster(epoch)}; held proposals stay held, as the real replica keeps its pending
     * proposals across such a lapse (they are in the log under its ballot and commit later).
     */
    public void lapse() {
        synchronized (applyLock) {
            View v = view;
            if (v.masterId() != selfId) {
                throw new IllegalStateException("replica " + selfId + " is not master: nothing to lapse");
            }
            lapsed = true;
            listeners.forEach(l -> l.lostMastership(v.epoch()));
            lapsed = false;
            listeners.forEach(l -> l.becameMaster(v.epoch()));
        }
    }

    /**
     * Changes the view without telling any listener, as when a listener's reaction was lost (a
     * proposal made from inside {@code becameMaster} that the replica refused).
     */
    public void failOverQuietly(int masterId, long epoch) {
        synchronized (applyLock) {
            view = new View(masterId, epoch);
        }
    }

    /** Replaces the member list (it must still name this replica). The SPI has no callback for this. */
    public void setMembers(List<Member> newMembers) {
        members = checkedMembers(newMembers, selfId);
    }

    /** From now on proposals wait, in order, until {@link #release()}. */
    public void hold() {
        synchronized (applyLock) {
            holding = true;
        }
    }

    /** Applies every held proposal in order and stops holding; proposals made meanwhile apply at once. */
    public void release() {
        synchronized (applyLock) {
            holding = false;
            heldFutures.clear();
            Runnable r;
            while ((r = held.poll()) != null) {
                r.run();
            }
        }
    }

    /**
     * The next proposal is chosen and applied, but its future fails with NOT_MASTER, as when the
     * master loses mastership after proposing and cannot tell whether the entry committed.
     */
    public void failNextProposalAfterCommit() {
        failProposalAfterCommit(1);
    }

    /** As {@link #failNextProposalAfterCommit}, for the {@code nth} proposal from now (1: the next). */
    public void failProposalAfterCommit(int nth) {
        if (nth < 1) {
            throw new IllegalArgumentException("nth counts from 1, was " + nth);
        }
        synchronized (applyLock) {
            failAfterCommitIn = nth;
        }
    }

    /**
     * The next {@code propose} throws {@code refusal} at once: refused before anything was proposed
     * (as a replica that is not master refuses).
     */
    public void refuseNextProposal(ChubbyException refusal) {
        synchronized (applyLock) {
            nextRefusal = refusal;
        }
    }

    /**
     * The next proposal is made but its future fails with {@code cause} and nothing is applied:
     * the proposer cannot tell whether it was chosen.
     */
    public void failNextProposal(Throwable cause) {
        synchronized (applyLock) {
            nextFailure = cause;
        }
    }

    /** How many proposals were accepted (made while master). */
    public int proposals() {
        synchronized (applyLock) {
            return proposals;
        }
    }

    /** How many proposals are held. */
    public int heldProposals() {
        synchronized (applyLock) {
            return held.size();
        }
    }

    // ------------------------------------------------------------------ Consensus

    @Override
    public void register(StateMachine m) {
        synchronized (applyLock) {
            machine = m;
        }
    }

    @Override
    public void unregister(StateMachine m) {
        synchronized (applyLock) {
            if (machine == m) {
                machine = null;
            }
        }
    }

    @Override
    public CompletableFuture<byte[]> propose(byte[] command) {
        synchronized (applyLock) {
            if (nextRefusal != null) {
                ChubbyException e = nextRefusal;
                nextRefusal = null;
                throw e;
            }
            if (nextFailure != null) {
                Throwable cause = nextFailure;
                nextFailure = null;
                proposals++;
                return CompletableFuture.failedFuture(cause);
            }
            if (!isMaster()) {
                return CompletableFuture.failedFuture(new ChubbyException(ErrorCode.NOT_MASTER,
                        "replica " + selfId + " is not master (master " + view.masterId() + ")"));
            }
            if (machine == null) {
                return CompletableFuture.failedFuture(new IllegalStateException("no state machine registered"));
            }
            proposals++;
            byte[] copy = command.clone();
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            if (failAfterCommitIn > 0 && --failAfterCommitIn == 0) {
                apply(copy); // it did commit, but the proposer cannot know
                f.completeExceptionally(new ChubbyException(ErrorCode.NOT_MASTER, "lost mastership"));
                return f;
            }
            Runnable r = () -> {
                try {
                    f.complete(apply(copy));
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            };
            if (holding) {
                held.add(r);
                heldFutures.add(f);
            } else {
                r.run();
            }
            return f;
        }
    }

    /** Called with applyLock held: one entry at the next index, a batch of one. */
    private byte[] apply(byte[] command) {
        StateMachine m = machine;
        if (m == null) {
            throw new IllegalStateException("no state machine registered");
        }
        byte[] result = m.apply(m.appliedIndex() + 1, view.epoch(), command);
        m.applyBatchDone(); // the real replica ends every batch of committed entries so
        return result;
    }

    /** Called with applyLock held: mastership ended before the held proposals committed. */
    private void failHeld() {
        held.clear();
        for (CompletableFuture<byte[]> f : heldFutures) {
            f.completeExceptionally(new ChubbyException(ErrorCode.NOT_MASTER, "lost mastership before commit"));
        }
        heldFutures.clear();
    }

    @Override
    public boolean isMaster() {
        return !lapsed && view.masterId() == selfId;
    }

    @Override
    public long epoch() {
        return view.epoch();
    }

    @Override
    public int masterId() {
        return view.masterId();
    }

    @Override
    public Member self() {
        return members.stream().filter(m -> m.id() == selfId).findFirst().orElseThrow();
    }

    @Override
    public List<Member> members() {
        return members;
    }

    @Override
    public ConsensusStatus status() {
        View v = view;
        StateMachine m = machine;
        long applied = m == null ? 0 : m.appliedIndex();
        long checksum = m == null ? 0 : m.checksum();
        boolean master = v.masterId() == selfId;
        String role = master ? "master" : v.masterId() == 0 ? "candidate" : "replica";
        return new ConsensusStatus(selfId, role, v.masterId(), v.epoch(), applied, applied, checksum, 1, master);
    }

    @Override
    public void addListener(ConsensusListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(ConsensusListener listener) {
        listeners.remove(listener);
    }
}
