package io.chubby.dns.internal;

import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusListener;
import io.chubby.spi.ConsensusStatus;
import io.chubby.spi.Member;
import io.chubby.spi.StateMachine;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A Consensus whose master and epoch the test sets. */
final class FakeConsensus implements Consensus {
    final List<Member> members;
    final List<ConsensusListener> listeners = new CopyOnWriteArrayList<>();
    volatile int masterId;
    volatile long epoch;

    FakeConsensus(List<Member> members, int masterId, long epoch) {
        this.members = members;
        this.masterId = masterId;
        this.epoch = epoch;
    }

    void failOver(int newMaster, long newEpoch) {
        masterId = newMaster;
        epoch = newEpoch;
        listeners.forEach(l -> l.masterChanged(newMaster, newEpoch));
    }

    @Override
    public void register(StateMachine machine) {
    }

    @Override
    public void unregister(StateMachine machine) {
    }

    @Override
    public CompletableFuture<byte[]> propose(byte[] command) {
        return CompletableFuture.failedFuture(new IllegalStateException("not used"));
    }

    @Override
    public boolean isMaster() {
        return false;
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
        return new ConsensusStatus(1, "replica", masterId, epoch, 0, 0, 0, 0, false);
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
