package io.chubby.testkit;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusGroups;
import io.chubby.spi.ConsensusListener;
import io.chubby.spi.ConsensusStatus;
import io.chubby.spi.Member;
import io.chubby.spi.StateMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Several replicas hosting several Paxos groups, each group one shared log whose master the test
 * names: the {@link ConsensusGroups} of every replica ({@link #replica}), whose group faces are
 * {@link Consensus}es. A proposal made on a group's master is appended to the group's log and
 * applied at once on every replica that has the group open with a state machine registered and is
 * not {@link #pause paused} (each such replica applies the whole log in order, as a batch); its
 * future completes with the proposing replica's result. A group opened, or a machine registered,
 * later catches up from the log on registration, and a paused replica catches up on
 * {@link #resume}. {@link #elect} makes a replica master of one group at the next epoch and tells
 * the listeners of that group's faces as the real replica does ({@code lostMastership},
 * {@code masterChanged}, {@code becameMaster}).
 *
 * <p>Not modelled: quorums, leases, timing, snapshots, proposals that fail after commit (see
 * {@link FakeConsensus} for those on one replica).
 *
 * <p>Threads: applies, futures and listener calls run under one lock on the thread that proposes,
 * elects, registers or resumes, as one apply thread would serialise them; a proposal made from
 * inside a callback re-enters it.
 */
public final class FakeGroupCell {
    private final Object lock = new Object();
    private final List<Member> members;
    private final Map<Integer, Replica> replicas = new TreeMap<>();
    // guarded by lock
    private final Map<Integer, List<Entry>> logs = new TreeMap<>();
    private final Map<Integer, long[]> leaders = new TreeMap<>(); // group -> {masterId, epoch}
    /** Carries the replicas' cross-group messages ({@link #carryCrossOver}); null = none. */
    private volatile MemoryNetwork crossNetwork;

    public FakeGroupCell(List<Member> members) {
        this.members = List.copyOf(members);
        for (Member m : members) {
            replicas.put(m.id(), new Replica(m.id()));
        }
    }

    /**
     * From now on the replicas' cross-group messages ({@link ConsensusGroups#sendCross}) travel over
     * {@code network} (its faults and delivery included) to the receivers' {@code crossHandler}s.
     * Before this, {@code sendCross} has no channel, as {@link ConsensusGroups}' default.
     */
    public void carryCrossOver(MemoryNetwork network) {
        for (Replica r : replicas.values()) {
            network.transport(r.id).setHandler((from, message) -> {
                io.chubby.spi.PeerTransport.PeerHandler h = r.crossHandler;
                if (h != null) {
                    h.onMessage(from, message);
                }
            });
        }
        crossNetwork = network;
    }

    /** Replica {@code id}'s groups. */
    public Replica replica(int id) {
        Replica r = replicas.get(id);
        if (r == null) {
            throw new IllegalArgumentException("no replica " + id + " in " + members);
        }
        return r;
    }

    /** Replica {@code masterId} becomes master of {@code group} at the group's next epoch. */
    public void elect(int group, int masterId) {
        synchronized (lock) {
            if (replica(masterId).paused) {
                throw new IllegalStateException("replica " + masterId + " is paused");
            }
            long[] old = leader(group);
            leaders.put(group, new long[] {masterId, old[1] + 1});
            for (Replica r : replicas.values()) {
                Face f = r.faces.get(group);
                if (f != null && !r.paused) {
                    f.learnView();
                }
            }
        }
    }

    /** The master of {@code group} (0: none elected yet). */
    public int masterOf(int group) {
        synchronized (lock) {
            return (int) leader(group)[0];
        }
    }

    /** Entries in {@code group}'s log. */
    public int logLength(int group) {
        synchronized (lock) {
            return log(group).size();
        }
    }

    /** Replica {@code id} stops applying and hearing of elections, as one cut off or lagging. */
    public void pause(int id) {
        synchronized (lock) {
            replica(id).paused = true;
        }
    }

    /** Replica {@code id} catches up with every open group's log and master. */
    public void resume(int id) {
        synchronized (lock) {
            Replica r = replica(id);
            r.paused = false;
            for (Face f : new ArrayList<>(r.faces.values())) {
                f.catchUp();
                f.learnView();
            }
        }
    }

    private long[] leader(int group) {
        return leaders.getOrDefault(group, new long[] {0, 0});
    }

    private List<Entry> log(int group) {
        return logs.computeIfAbsent(group, g -> new ArrayList<>());
    }

    /** A chosen entry: the command and the epoch of the master that proposed it. */
    private record Entry(long epoch, byte[] command) {
    }

    /** One replica's groups. */
    public final class Replica implements ConsensusGroups {
        private final int id;
        private final Map<Integer, Face> faces = new java.util.concurrent.ConcurrentHashMap<>();
        private volatile Map<Integer, Integer> peerMinors = Map.of();
        private volatile boolean paused;
        private volatile io.chubby.spi.PeerTransport.PeerHandler crossHandler;

        private Replica(int id) {
            this.id = id;
        }

        /** What {@link #peerMinors()} answers from now on (members' announced peer minors). */
        public void announcePeerMinors(Map<Integer, Integer> minors) {
            peerMinors = Map.copyOf(minors);
        }

        @Override
        public Face open(int group) {
            if (group < 0 || group >= io.chubby.api.PartitionHash.SLOTS) {
                throw new IllegalArgumentException("group " + group + " out of range");
            }
            synchronized (lock) {
                return faces.computeIfAbsent(group, g -> new Face(this, g));
            }
        }

        @Override
        public void close(int group) {
            synchronized (lock) {
                Face f = faces.remove(group);
                if (f != null) {
                    f.machine = null;
                    f.pending.values().forEach(p -> p.completeExceptionally(
                            new ChubbyException(ErrorCode.NOT_MASTER, "group " + group + " closed")));
                    f.pending.clear();
                }
            }
        }

        @Override
        public List<Integer> opened() {
            return faces.keySet().stream().sorted().toList();
        }

        @Override
        public Map<Integer, Integer> peerMinors() {
            return peerMinors;
        }

        /** Over the network of {@link #carryCrossOver}; a paused replica sends nothing (as a stopped process). */
        @Override
        public void sendCross(int replica, byte[] message) {
            MemoryNetwork net = crossNetwork;
            if (net == null) {
                throw new UnsupportedOperationException("no cross-group network: call carryCrossOver");
            }
            if (!paused) {
                net.transport(id).send(replica, message);
            }
        }

        @Override
        public void crossHandler(io.chubby.spi.PeerTransport.PeerHandler handler) {
            crossHandler = handler;
        }
    }

    /** One group on one replica. */
    public final class Face implements Consensus {
        private final Replica replica;
        private final int group;
        private final List<ConsensusListener> listeners = new CopyOnWriteArrayList<>();
        private volatile StateMachine machine;
        /** Proposals made here, by log index, completed when this replica applies them. Guarded by lock. */
        private final Map<Long, CompletableFuture<byte[]>> pending = new TreeMap<>();
        private volatile int viewMaster;
        private volatile long viewEpoch;

        private Face(Replica replica, int group) {
            this.replica = replica;
            this.group = group;
            if (!replica.paused) {
                long[] l = leader(group);
                viewMaster = (int) l[0];
                viewEpoch = l[1];
            }
        }

        /** Called with the lock held: the view becomes the group's current master, listeners told. */
        private void learnView() {
            long[] l = leader(group);
            int oldMaster = viewMaster;
            long oldEpoch = viewEpoch;
            viewMaster = (int) l[0];
            viewEpoch = l[1];
            boolean was = oldMaster == replica.id;
            boolean is = viewMaster == replica.id;
            if (was && (!is || oldEpoch != viewEpoch)) {
                listeners.forEach(x -> x.lostMastership(oldEpoch));
            }
            if (oldMaster != viewMaster || oldEpoch != viewEpoch) {
                listeners.forEach(x -> x.masterChanged(viewMaster, viewEpoch));
            }
            if (is && (!was || oldEpoch != viewEpoch)) {
                listeners.forEach(x -> x.becameMaster(viewEpoch));
            }
        }

        /**
         * Called with the lock held: applies the log from the machine's applied index on (read
         * again for every entry, since an apply may propose and so re-enter), completing the
         * proposals made here.
         */
        private void catchUp() {
            StateMachine m = machine;
            if (m == null || replica.paused) {
                return;
            }
            List<Entry> entries = log(group);
            boolean any = false;
            long i;
            while (machine == m && (i = m.appliedIndex() + 1) <= entries.size()) {
                Entry e = entries.get((int) i - 1);
                byte[] result = m.apply(i, e.epoch(), e.command().clone());
                any = true;
                CompletableFuture<byte[]> f = pending.remove(i);
                if (f != null) {
                    f.complete(result);
                }
            }
            if (any) {
                m.applyBatchDone();
            }
        }

        @Override
        public void register(StateMachine m) {
            synchronized (lock) {
                machine = m;
                catchUp();
            }
        }

        @Override
        public void unregister(StateMachine m) {
            synchronized (lock) {
                if (machine == m) {
                    machine = null;
                }
            }
        }

        @Override
        public CompletableFuture<byte[]> propose(byte[] command) {
            synchronized (lock) {
                if (!isMaster()) {
                    return CompletableFuture.failedFuture(new ChubbyException(ErrorCode.NOT_MASTER, "replica "
                            + replica.id + " is not master of group " + group));
                }
                if (machine == null) {
                    return CompletableFuture.failedFuture(new IllegalStateException("no state machine registered"));
                }
                List<Entry> entries = log(group);
                entries.add(new Entry(viewEpoch, command.clone()));
                CompletableFuture<byte[]> f = new CompletableFuture<>();
                pending.put((long) entries.size(), f);
                for (Replica r : replicas.values()) {
                    Face face = r.faces.get(group);
                    if (face != null) {
                        face.catchUp();
                    }
                }
                return f;
            }
        }

        @Override
        public boolean isMaster() {
            return !replica.paused && viewMaster == replica.id && masterOf(group) == replica.id;
        }

        @Override
        public long epoch() {
            return viewEpoch;
        }

        @Override
        public int masterId() {
            return viewMaster;
        }

        @Override
        public Member self() {
            return members.stream().filter(m -> m.id() == replica.id).findFirst().orElseThrow();
        }

        @Override
        public List<Member> members() {
            return members;
        }

        @Override
        public ConsensusStatus status() {
            StateMachine m = machine;
            long applied = m == null ? 0 : m.appliedIndex();
            long checksum = m == null ? 0 : m.checksum();
            boolean master = isMaster();
            String role = master ? "master" : viewMaster == 0 ? "candidate" : "replica";
            return new ConsensusStatus(replica.id, role, viewMaster, viewEpoch, applied, applied, checksum, 1, master,
                    group);
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
}
