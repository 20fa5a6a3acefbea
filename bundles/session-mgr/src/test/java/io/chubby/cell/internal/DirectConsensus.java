package io.chubby.cell.internal;

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

/**
 * Test double of a one-replica consensus: proposals are applied at once on the caller's thread,
 * or, with {@link #hold}, queued until {@link #release}. Mastership is switched by the test.
 */
final class DirectConsensus implements Consensus {
    private final List<Member> members = Member.parseList("1@127.0.0.1:7001:7101,2@127.0.0.1:7002:7102,"
            + "3@127.0.0.1:7003:7103");
    private final List<ConsensusListener> listeners = new ArrayList<>();
    private final Deque<Runnable> held = new ArrayDeque<>();
    private StateMachine machine;
    volatile boolean master = true;
    volatile long epoch = 1;
    volatile int masterId = 1;
    volatile boolean hold;
    volatile boolean failNextAfterProposing;
    int proposals;

    @Override
    public void register(StateMachine m) {
        this.machine = m;
    }

    @Override
    public void unregister(StateMachine m) {
        if (machine == m) {
            machine = null;
        }
    }

    @Override
    public synchronized CompletableFuture<byte[]> propose(byte[] command) {
        if (!master) {
            return CompletableFuture.failedFuture(new ChubbyException(ErrorCode.NOT_MASTER, "not master"));
        }
        proposals++;
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        if (failNextAfterProposing) {
            failNextAfterProposing = false;
            machine.apply(machine.appliedIndex() + 1, epoch, command); // it did commit, but we "lost" it
            machine.applyBatchDone();
            f.completeExceptionally(new ChubbyException(ErrorCode.NOT_MASTER, "lost mastership"));
            return f;
        }
        Runnable r = () -> {
            byte[] result = machine.apply(machine.appliedIndex() + 1, epoch, command);
            machine.applyBatchDone(); // a batch of one, as the replica loop ends every Ready
            f.complete(result);
        };
        if (hold) {
            held.add(r);
        } else {
            r.run();
        }
        return f;
    }

    /** Applies every held proposal, including ones proposed while releasing. */
    void release() {
        hold = false;
        Runnable r;
        while ((r = pollHeld()) != null) {
            r.run();
        }
    }

    private synchronized Runnable pollHeld() {
        return held.poll();
    }

    void becomeMaster(long newEpoch) {
        master = true;
        masterId = 1;
        epoch = newEpoch;
        listeners.forEach(l -> l.becameMaster(newEpoch));
    }

    void loseMastership(int newMaster) {
        master = false;
        masterId = newMaster;
        listeners.forEach(l -> l.lostMastership(epoch));
    }

    @Override
    public boolean isMaster() {
        return master;
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public int masterId() {
        return masterId;
    }

    @Override
    public Member self() {
        return members.get(0);
    }

    @Override
    public List<Member> members() {
        return members;
    }

    @Override
    public ConsensusStatus status() {
        return new ConsensusStatus(1, master ? "master" : "replica", masterId, epoch, machine.appliedIndex(),
                machine.appliedIndex(), machine.checksum(), 1, master);
    }

    @Override
    public void addListener(ConsensusListener l) {
        listeners.add(l);
    }

    @Override
    public void removeListener(ConsensusListener l) {
        listeners.remove(l);
    }
}
