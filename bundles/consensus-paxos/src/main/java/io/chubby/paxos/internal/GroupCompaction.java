package io.chubby.paxos.internal;

import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.PaxosNode;
import io.chubby.spi.PeerTransport;
import io.chubby.spi.StateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshots and log compaction of one {@link PaxosGroup}, on its loop thread: the compaction
 * schedule (staggered over replicas and groups), taking the durable snapshot and dropping the log
 * below it, the snapshot transfers to lagging peers and receiving and installing one. The group
 * passes its loop-thread state (state machine, log, node) in and keeps what an installed snapshot
 * means for its members, address books and proposal futures.
 */
final class GroupCompaction {
    /** PaxosGroup's category: these lines were logged by PaxosGroup before it delegated here. */
    private static final Logger log = LoggerFactory.getLogger(PaxosGroup.class);

    /** A snapshot received whole and installed: its size and the configuration it recorded (may be empty). */
    record Installed(int bytes, byte[] configuration) {
    }

    private final int group;
    private final ReplicaSettings settings;
    private final int self;
    private final LongSupplier clock;
    private final Executor compactor;
    private final GroupCounters counters;
    private final SnapshotAssembler assembler = new SnapshotAssembler();
    private final SnapshotSender snapshots;
    /** The configuration the snapshot being received recorded (from its chunk at offset 0). */
    private byte[] incomingConfiguration = new byte[0];
    private long lastCompaction;

    GroupCompaction(int group, ReplicaSettings settings, PeerTransport transport, LongSupplier clock,
                    Executor compactor, GroupCounters counters) {
        this.group = group;
        this.settings = settings;
        this.self = settings.replicaId();
        this.clock = clock;
        this.compactor = compactor;
        this.counters = counters;
        // The core flags a lagging peer at most once per L; the sender only suppresses exact repeats.
        this.snapshots = new SnapshotSender(self, group, transport, settings.leaseMs() / 2);
    }

    /** Counts the next compaction from {@code applied} (the node started, or a snapshot was installed there). */
    void countFrom(long applied) {
        lastCompaction = compactionBase(applied);
    }

    /** Sends a few chunks of the transfers under way. */
    void pump() {
        snapshots.pump();
    }

    /** Whether a snapshot transfer runs (its chunks go out a few per pass). */
    boolean sending() {
        return snapshots.busy();
    }

    /** Stops every transfer (mastership lost, or the group detached). */
    void cancelTransfers() {
        snapshots.cancelAll();
    }

    /** Starts a snapshot transfer to the lagging {@code peer}, unless one runs or started recently. */
    void send(int peer, StateMachine machine, DurableLog durable, ConfigurationHistory history, PaxosNode node) {
        long now = clock.getAsLong();
        if (!snapshots.wants(peer, now)) {
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            machine.writeSnapshot(out);
        } catch (IOException e) {
            log.warn("snapshot write failed replica={} group={} peer={} error={}", self, group, peer, e.toString());
            return;
        }
        long index = machine.appliedIndex();
        Entry at = durable.entry(index);
        byte[] configuration = history.atOrBelow(index);
        snapshots.start(peer, now, index, node.promised(), at == null ? node.epoch() : at.epoch(),
                machine.checksum(), out.toByteArray(), configuration == null ? new byte[0] : configuration);
        counters.snapshotsSent.incrementAndGet();
    }

    /**
     * Takes a snapshot chunk; once the snapshot is whole, installs it in {@code machine}, makes it
     * durable and drops the log through its index. Null while it is not whole (or not for us, or
     * behind what is applied).
     */
    Installed receive(SnapshotPiece s, StateMachine machine, DurableLog durable) {
        if (s.to() != self || s.index() <= machine.appliedIndex()) {
            return null;
        }
        if (s.offset() == 0) {
            incomingConfiguration = s.configuration();
        }
        byte[] whole = assembler.add(s.index(), s.offset(), s.data(), s.last());
        if (whole == null) {
            return null;
        }
        try {
            machine.installSnapshot(new ByteArrayInputStream(whole));
        } catch (IOException e) {
            // The state may be half-replaced: stop rather than serve or vote from it.
            throw new IllegalStateException("snapshot install failed at index " + s.index() + " group " + group, e);
        }
        if (machine.appliedIndex() != s.index() || machine.checksum() != s.checksum()) {
            throw new IllegalStateException("installed snapshot does not match in group " + group + ": index "
                    + machine.appliedIndex() + " vs " + s.index() + ", checksum " + machine.checksum() + " vs "
                    + s.checksum());
        }
        machine.makeDurable();
        durable.truncateBefore(s.index() + 1);
        return new Installed(whole.length, incomingConfiguration);
    }

    /**
     * Every compact.every applied entries: make the state durable, then drop the log below
     * applied - keep (the deletes run on the compactor thread). Replicas are staggered by
     * {@link #compactionBase}: with the same schedule all of them would pause at the same index,
     * and a cell whose replicas all pause at once cannot renew its master's lease.
     */
    void maybeCompact(StateMachine machine, PaxosNode node, DurableLog durable) {
        long applied = machine.appliedIndex();
        if (applied - lastCompaction < settings.compactEveryEntries() || node.hasReady()) {
            return;
        }
        machine.makeDurable();
        long before = applied - settings.compactKeepEntries();
        lastCompaction = applied;
        if (before > durable.firstIndex()) {
            durable.compactBefore(before, compactor);
            log.info("log compacted replica={} applied={} firstIndex={} group={}", self, applied,
                    durable.firstIndex(), group);
        }
    }

    /**
     * The applied index to count the next compaction from, shifted by this replica's position among
     * the members and by the group: with five replicas and compact.every 10,000 group 0's first
     * compactions happen at 10,000, 8,000, 6,000, 4,000 and 2,000 entries, and every 10,000 after that.
     */
    private long compactionBase(long applied) {
        List<Integer> ids = settings.members().stream().map(m -> m.id()).sorted().toList();
        int position = Math.max(0, ids.indexOf(self));
        return applied - compactionOffset(settings.compactEveryEntries(), position, ids.size(), group);
    }

    /**
     * How far before its applied index a group starts counting to its first compaction, in
     * [0, every): {@code every * position / replicas} (replicas do not pause at the same index),
     * plus for group g the fractional part of g times the golden ratio of {@code every} (groups of
     * one replica do not compact in the same pass; a spread that needs no group count).
     */
    static long compactionOffset(long every, int position, int replicas, int group) {
        long byReplica = every * position / Math.max(1, replicas);
        double spread = group * 0.6180339887498949;
        long byGroup = (long) (every * (spread - Math.floor(spread)));
        return (byReplica + byGroup) % every;
    }
}
