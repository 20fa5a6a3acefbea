package io.chubby.sim;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.state.AclCopies;
import io.chubby.protocol.AcquireRequest;
import io.chubby.protocol.CheckSequencerRequest;
import io.chubby.protocol.CloseRequest;
import io.chubby.protocol.Create;
import io.chubby.protocol.CreateSessionRequest;
import io.chubby.protocol.EventKind;
import io.chubby.protocol.EventMessage;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.GetSequencerRequest;
import io.chubby.protocol.Invalidation;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.LockModeKind;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.MasterLocationRequest;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.ReleaseRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetContentsRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * A simulated application using a cell through the client protocol, with the Java client library's
 * rules (bundles/client README): find the master (MasterLocation, redirects), one session with one
 * KeepAlive in flight, a local lease {@code max(send, arrival - maxReplyDelay) + lease * (1 - margin)}
 * on its own drifting clock, jeopardy (cache flushed, no new calls) and expiry after a grace period,
 * a consistent cache of file contents (invalidations and the failover event acknowledged on the next
 * KeepAlive), reads and writes of a few registers, reader/writer locks with sequencers, ephemeral
 * files, and crashes. Every outcome is reported to {@link CellChecks} (history, holders, sequencers).
 * Single-threaded (the simulation's); one application call at a time.
 *
 * <p>A client made with {@code acknowledges = false} is the buggy or hostile one of issue 25: it
 * keeps its KeepAlives going and reads as usual (signing up as a cache holder), but never
 * acknowledges an invalidation, a failover or a CACHE_DROPPED event, and so caches nothing itself
 * (a cache it never invalidated would be stale by its own fault). The master must not let it hold
 * up any write for longer than its lease ({@link CellChecks#holderWaits}). A compliant client
 * flushes on CACHE_DROPPED and acknowledges it, and reads a fifth of its uncached registers with
 * {@code no_cache} (never answered cacheable).
 */
final class SimClient {
    static final long MAX_REPLY_DELAY_MS = 250;
    static final double DRIFT_MARGIN = 0.02;
    static final long GRACE_MS = 4_000;
    static final int RW = 3;

    /** How a call ended, when it did not get its answer. */
    enum Outcome { UNKNOWN, ERROR, ABANDONED }

    interface Reply {
        void ok(Response r);

        void failed(Outcome o, ErrorCode code, String why);
    }

    private record Call(Request.Builder body, boolean write, Reply reply, long queuedAt) {
        Call(Request.Builder body, boolean write, Reply reply) {
            this(body, write, reply, -1);
        }
    }

    /** How long a call may wait for a connection to the master before the application gives up. */
    static final long CALL_TIMEOUT_MS = 1_500;

    /** A lock this client believes it holds. */
    record Held(String path, int mode, long generation, long grantedAt) {
    }

    final int id;
    /** False: never acknowledges invalidations, failovers or cache drops (issue 25's client). */
    final boolean acknowledges;
    private final CellSimulation sim;
    private final Random rnd;
    /** Picks the reads sent with no_cache; its own generator, so the rest of the workload is as without it. */
    private final Random uncached;
    DriftingClock clock;
    int incarnation;
    boolean crashed;
    boolean stopped;

    private SimConnection conn;
    private boolean ready;
    private boolean locating;
    private int lastMaster;
    private long epoch;
    private long nextCallId = 1;
    private final Map<Long, Call> inFlight = new HashMap<>();
    private final ArrayDeque<Call> waiting = new ArrayDeque<>();

    long session;
    private boolean creating;
    private long leaseEndLocal;
    boolean jeopardy;
    private long kaCallId;
    private long kaSentLocal;
    private long ackedEventSeq;
    private final TreeSet<Long> invalidationsToAck = new TreeSet<>();
    private boolean failoverToAck;
    private boolean cacheDropToAck;

    private final Map<String, Long> cache = new HashMap<>();
    private final Map<String, ByteString> handles = new LinkedHashMap<>();
    final Map<String, Held> held = new TreeMap<>();
    private final List<byte[]> oldSequencers = new ArrayList<>();
    private final Map<byte[], Held> sequencerLocks = new HashMap<>();
    private boolean busy;
    /** The path of this client's write in flight, whose cache entry must not be refilled meanwhile. */
    private String writing;
    private Runnable abort;
    private long written;
    private int ephemerals;
    long completedOps;
    long completedAfterHeal;

    SimClient(CellSimulation sim, int id, DriftingClock clock, long seed, boolean acknowledges) {
        this(sim, id, clock, seed, acknowledges, sim.workloadGroup, Role.REGISTERS);
    }

    SimClient(CellSimulation sim, int id, DriftingClock clock, long seed, boolean acknowledges, int partition,
              Role role) {
        this.sim = sim;
        this.id = id;
        this.acknowledges = acknowledges;
        this.clock = clock;
        this.rnd = new Random(seed);
        this.uncached = new Random(seed ^ 0x2545F4914F6CDD1DL);
        this.partition = partition;
        this.role = role;
        this.directories = new DirectoryWorkload(this, sim, rnd);
    }

    /** What a client does: the register workload, or a part of the directory workload. */
    enum Role {
        /** Registers, locks, sequencers, ephemerals: every node a child of the root (the workload group). */
        REGISTERS,
        /** Creates and deletes the cell's directories ({@link CellSimulation#directory}): its session is on their partition. */
        DIRECTORIES,
        /** Creates files in the directories whose children live on its partition, and deletes its own. */
        FILES
    }

    /** The partition (group) this client's session lives in and its calls name. */
    final int partition;
    final Role role;
    /** The directory workload's calls of a DIRECTORIES or FILES client. */
    private final DirectoryWorkload directories;

    long localNow() {
        return clock.local(sim.now);
    }

    /** Holds its locks safely: alive, in a session whose local lease has not run out. */
    boolean safe() {
        if (sim.bug == PlantedBug.CLIENT_IGNORES_ITS_LEASE) {
            return !crashed && session != 0;
        }
        return !crashed && session != 0 && !jeopardy && localNow() <= leaseEndLocal;
    }

    // ------------------------------------------------------------------ life cycle

    void start() {
        crashed = false;
        incarnation++;
        locate();
        scheduleTick();
    }

    void crash() {
        crashed = true;
        sim.checks.clientGone(this);
        if (abort != null) {
            abort.run();
            abort = null;
        }
        busy = false;
        if (conn != null) {
            sim.clientNetwork.breakConnection(conn, "client " + id + " crashed");
        }
        conn = null;
        ready = false;
        locating = false;
        inFlight.clear();
        waiting.clear();
        session = 0;
        creating = false;
        kaCallId = 0;
        jeopardy = false;
        cache.clear();
        handles.clear();
        held.clear();
        oldSequencers.clear();
        sequencerLocks.clear();
        invalidationsToAck.clear();
        failoverToAck = false;
        cacheDropToAck = false;
        ackedEventSeq = 0;
    }

    private void scheduleTick() {
        sim.at(sim.now + 20, this::tick);
    }

    private void tick() {
        if (crashed || stopped) {
            return;
        }
        if (session != 0 && sim.bug != PlantedBug.CLIENT_IGNORES_ITS_LEASE) {
            long local = localNow();
            if (local > leaseEndLocal && !jeopardy) {
                jeopardy = true; // no cache, no new calls; locks are not used until safe again
                cache.clear();
            }
            if (local > leaseEndLocal + GRACE_MS) {
                expire("local lease and grace period over");
            } else if (jeopardy && kaCallId != 0 && ready && local - kaSentLocal > 1_000) {
                relocate(); // the KeepAlive has gone unanswered too long: find the master again
            }
        }
        giveUpWaitingCalls();
        // with no master at hand it can still read what it caches, while its session is safe
        if (!busy && session != 0 && !jeopardy && (ready || !cache.isEmpty())) {
            busy = true;
            // the directory workload's clients think longer: their calls are the seed's cost beside the registers'
            sim.at(sim.now + (role == Role.REGISTERS ? 5 + rnd.nextInt(60) : 20 + rnd.nextInt(160)), this::nextOp);
        }
        scheduleTick();
    }

    // ------------------------------------------------------------------ connection and master

    /** Finds the master (unless a search is under way or a master connection is ready). */
    private void locate() {
        if (crashed || stopped || ready || locating) {
            return;
        }
        if (!sim.partitionsRecorded) { // a session would keep the cell from being partitioned
            sim.at(sim.now + 20, this::locate);
            return;
        }
        int n = sim.replicaCount();
        int target = lastMaster > 0 && rnd.nextInt(4) != 0 ? lastMaster : 1 + rnd.nextInt(n);
        conn = sim.clientNetwork.connect(this, target);
        if (conn == null) {
            sim.at(sim.now + 50 + rnd.nextInt(100), this::locate);
            return;
        }
        locating = true;
        SimConnection asked = conn;
        long callId = nextCallId++;
        inFlight.put(callId, new Call(Request.newBuilder().setMasterLocation(MasterLocationRequest.getDefaultInstance()),
                false, new Reply() {
                    @Override
                    public void ok(Response r) {
                        located(asked, r.getMasterLocation());
                    }

                    @Override
                    public void failed(Outcome o, ErrorCode code, String why) {
                        locating = false;
                        sim.at(sim.now + 50 + rnd.nextInt(100), SimClient.this::locate);
                    }
                }));
        sim.clientNetwork.toReplica(conn, Request.newBuilder().setCallId(callId)
                .setMasterLocation(MasterLocationRequest.getDefaultInstance()).build().toByteArray());
    }

    private void located(SimConnection asked, MasterLocation ml) {
        if (asked != conn) {
            return;
        }
        locating = false;
        if (ml.getPartitions() > 1) { // its partition's master, not group 0's
            ml = ml.toBuilder().setMasterId(ml.getPartitionMasters(partition).getMasterId())
                    .setEpoch(ml.getPartitionMasters(partition).getEpoch()).build();
        } else if (sim.partitions > 1) {
            ml = ml.toBuilder().setMasterId(0).build(); // a replica that has not applied the record yet: ask another
        }
        if (ml.getMasterId() == 0) {
            sim.clientNetwork.breakConnection(conn, "no master known");
            conn = null;
            sim.at(sim.now + 50 + rnd.nextInt(150), this::locate);
            return;
        }
        lastMaster = ml.getMasterId();
        if (ml.getEpoch() > 0) {
            epoch = ml.getEpoch();
        }
        if (lastMaster != conn.replica.id) {
            sim.clientNetwork.breakConnection(conn, "redirected to the master");
            conn = sim.clientNetwork.connect(this, lastMaster);
            if (conn == null) {
                sim.at(sim.now + 50 + rnd.nextInt(100), this::locate);
                return;
            }
        }
        ready = true;
        onReady();
    }

    private void relocate() {
        if (conn != null) {
            sim.clientNetwork.breakConnection(conn, "relocating");
        }
        disconnected(conn);
    }

    /** The connection broke (or was dropped): settle what was in flight, find the master again. */
    void disconnected(SimConnection c) {
        if (c != conn || crashed) {
            return;
        }
        conn = null;
        ready = false;
        locating = false;
        settleInFlight("connection lost");
        sim.at(sim.now + 10 + rnd.nextInt(50), this::locate);
    }

    /**
     * The connection is gone with calls on it: writes have an unknown outcome, reads and session
     * calls go again once a master is found; a KeepAlive or a location query is simply started anew.
     */
    private void settleInFlight(String why) {
        List<Call> calls = new ArrayList<>(inFlight.values());
        inFlight.clear();
        kaCallId = 0;
        for (Call call : calls) {
            if (call.body().hasKeepAlive() || call.body().hasMasterLocation()) {
                continue;
            } else if (call.write()) {
                call.reply().failed(Outcome.UNKNOWN, ErrorCode.OUTCOME_UNKNOWN, why);
            } else {
                waiting.add(call);
            }
        }
    }

    /** Application calls that found no master for a while fail (never sent: no effect). */
    private void giveUpWaitingCalls() {
        for (java.util.Iterator<Call> it = waiting.iterator(); it.hasNext(); ) {
            Call c = it.next();
            if (c.queuedAt() >= 0 && sim.now - c.queuedAt() > CALL_TIMEOUT_MS && !c.body().hasCreateSession()) {
                it.remove();
                c.reply().failed(Outcome.ABANDONED, ErrorCode.CELL_UNAVAILABLE, "no master within the call timeout");
            }
        }
    }

    private void onReady() {
        if (session == 0) {
            createSession();
        } else if (kaCallId == 0) {
            keepAlive();
        }
        for (Call c; ready && (c = waiting.poll()) != null; ) {
            send(c);
        }
    }

    // ------------------------------------------------------------------ calls

    void call(Request.Builder body, boolean write, Reply reply) {
        Call c = new Call(body, write, reply, sim.now);
        if (ready) {
            send(c);
        } else {
            waiting.add(c);
        }
    }

    private long send(Call c) {
        long callId = nextCallId++;
        inFlight.put(callId, c);
        Request.Builder b = c.body().clone().setCallId(callId)
                .setSessionId(c.body().hasCreateSession() ? 0 : session).setEpoch(epoch);
        if (sim.partitions > 1) {
            b.setPartition(partition); // every node this client uses lives in its partition
        }
        Request req = b.build();
        sim.trace("client " + id + " -> r" + conn.replica.id + " call " + callId + " " + req.getBodyCase());
        sim.clientNetwork.toReplica(conn, req.toByteArray());
        return callId;
    }

    void receive(SimConnection from, byte[] bytes) {
        if (from != conn || crashed) {
            return;
        }
        Response r;
        try {
            r = Response.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new SimulationFailure("client " + id + " got an undecodable response: " + e.getMessage());
        }
        Call c = inFlight.remove(r.getCallId());
        sim.trace("client " + id + " <- call " + r.getCallId() + " " + (r.hasError() ? r.getError().getMessage()
                : r.getBodyCase().toString()) + (c == null ? " (no longer waited for)" : ""));
        if (c == null) {
            return; // answer to a call given up on
        }
        if (!r.hasError()) {
            if (r.hasCreateSession() || r.hasKeepAlive()) {
                epoch = r.hasCreateSession() ? r.getCreateSession().getEpoch() : r.getKeepAlive().getEpoch();
            }
            c.reply().ok(r);
            return;
        }
        ErrorCode code = ErrorCode.fromWire(r.getError().getCode());
        String msg = r.getError().getMessage();
        sim.checks.errorAnswer(this, c.body(), code, msg);
        switch (code) {
            case NOT_MASTER, WRONG_EPOCH -> {
                // Nothing was proposed: follow the master and send the call again.
                if (r.hasMaster() && r.getMaster().getMasterId() != 0) {
                    lastMaster = r.getMaster().getMasterId();
                }
                if (c.body().hasKeepAlive()) {
                    kaCallId = 0; // started anew once the master is found
                } else {
                    waiting.add(c);
                }
                relocateAfterRefusal();
            }
            // the master may have applied it: like the client library, give the call up as unknown
            case OUTCOME_UNKNOWN -> c.reply().failed(Outcome.UNKNOWN, code, msg);
            // nothing was applied: send it again
            case CELL_UNAVAILABLE -> sim.at(sim.now + 50, () -> call(c.body(), c.write(), c.reply()));
            case SESSION_EXPIRED -> {
                c.reply().failed(Outcome.ERROR, code, msg);
                if (session != 0) {
                    expire("the master says: " + msg);
                }
            }
            default -> c.reply().failed(Outcome.ERROR, code, msg);
        }
    }

    private void relocateAfterRefusal() {
        if (conn != null) {
            SimConnection old = conn;
            conn = null;
            ready = false;
            locating = false;
            sim.clientNetwork.breakConnection(old, "following the master");
            settleInFlight("connection dropped to follow the master");
            sim.at(sim.now + 5, this::locate);
        }
    }

    // ------------------------------------------------------------------ session

    private void createSession() {
        if (creating) {
            return;
        }
        creating = true;
        long sentLocal = localNow();
        call(Request.newBuilder().setCreateSession(CreateSessionRequest.newBuilder().setClientName("sim-" + id)
                        .setPartitionAware(sim.partitions > 1)),
                false, new Reply() {
                    @Override
                    public void ok(Response r) {
                        creating = false;
                        session = r.getCreateSession().getSessionId();
                        jeopardy = false;
                        leaseEndLocal = localLease(sentLocal, r.getCreateSession().getLeaseMs());
                        keepAlive();
                    }

                    @Override
                    public void failed(Outcome o, ErrorCode code, String why) {
                        creating = false;
                        sim.at(sim.now + 100, SimClient.this::createSession);
                    }
                });
    }

    private long localLease(long sentLocal, long leaseMs) {
        long arrival = localNow();
        return Math.max(sentLocal, arrival - MAX_REPLY_DELAY_MS) + (long) (leaseMs * (1 - DRIFT_MARGIN));
    }

    private void keepAlive() {
        if (session == 0 || crashed || !ready || kaCallId != 0) {
            return;
        }
        long forSession = session;
        long sentLocal = localNow();
        kaSentLocal = sentLocal;
        List<Long> acks = List.copyOf(invalidationsToAck);
        boolean failoverAck = failoverToAck;
        boolean dropAck = cacheDropToAck;
        Call c = new Call(Request.newBuilder().setKeepAlive(KeepAliveRequest.newBuilder()
                .setAckedEventSeq(ackedEventSeq).addAllAckedInvalidations(acks).setAckedFailover(failoverAck)
                .setAckedCacheDropped(dropAck)),
                false, new Reply() {
                    @Override
                    public void ok(Response r) {
                        kaCallId = 0;
                        if (session != forSession) {
                            return;
                        }
                        invalidationsToAck.removeAll(acks);
                        if (failoverAck) {
                            failoverToAck = false;
                        }
                        if (dropAck) {
                            cacheDropToAck = false;
                        }
                        keptAlive(sentLocal, r.getKeepAlive());
                        keepAlive();
                    }

                    @Override
                    public void failed(Outcome o, ErrorCode code, String why) {
                        kaCallId = 0;
                    }
                });
        kaCallId = send(c);
    }

    private void keptAlive(long sentLocal, KeepAliveReply ka) {
        leaseEndLocal = Math.max(leaseEndLocal, localLease(sentLocal, ka.getLeaseMs()));
        if (jeopardy && localNow() <= leaseEndLocal) {
            jeopardy = false; // safe again
        }
        for (Invalidation inv : ka.getInvalidationsList()) {
            sim.trace("client " + id + " invalidation " + inv.getId() + " " + inv.getPath()
                    + (acknowledges ? "" : " (never acknowledged)"));
            cache.remove(inv.getPath());
            if (acknowledges) {
                invalidationsToAck.add(inv.getId());
            }
        }
        for (EventMessage ev : ka.getEventsList()) {
            if (ev.getSeq() <= ackedEventSeq) {
                // resent: our acknowledgement was lost with its KeepAlive (the cache was flushed)
                failoverToAck |= acknowledges && ev.getKind() == EventKind.MASTER_FAILED_OVER;
                cacheDropToAck |= acknowledges && ev.getKind() == EventKind.CACHE_DROPPED;
                continue;
            }
            ackedEventSeq = ev.getSeq();
            sim.trace("client " + id + " event " + ev.getKind() + " seq " + ev.getSeq());
            if (ev.getKind() == EventKind.MASTER_FAILED_OVER) {
                if (sim.bug != PlantedBug.CLIENT_KEEPS_CACHE_AFTER_FAILOVER) {
                    cache.clear();
                }
                failoverToAck = acknowledges;
            } else if (ev.getKind() == EventKind.CACHE_DROPPED) {
                sim.cacheDrops++;
                cache.clear();
                cacheDropToAck = acknowledges;
            }
        }
    }

    private void expire(String why) {
        sim.checks.clientGone(this);
        session = 0;
        jeopardy = false;
        kaCallId = 0;
        cache.clear();
        handles.clear();
        held.clear();
        oldSequencers.clear();
        sequencerLocks.clear();
        invalidationsToAck.clear();
        failoverToAck = false;
        cacheDropToAck = false;
        ackedEventSeq = 0;
        if (abort != null) {
            abort.run();
            abort = null;
        }
        busy = false;
        sim.sessionsExpired++;
        if (ready) {
            createSession();
        }
    }

    // ------------------------------------------------------------------ the application

    void done() {
        busy = false;
        abort = null;
        completedOps++;
        if (sim.healed) {
            completedAfterHeal++;
        }
    }

    private void nextOp() {
        if (crashed || session == 0 || jeopardy) {
            busy = false;
            return;
        }
        if (!ready) {
            List<String> cached = new ArrayList<>(new java.util.TreeSet<>(cache.keySet()));
            if (!cached.isEmpty()) {
                String path = cached.get(rnd.nextInt(cached.size()));
                sim.checks.cachedRead(this, path, cache.get(path));
                completedOps++;
            }
            busy = false;
            return;
        }
        if (role == Role.DIRECTORIES) {
            directories.directoryOp();
            return;
        }
        if (role == Role.FILES) {
            directories.fileOp();
            return;
        }
        int pick = rnd.nextInt(100);
        if (pick < 35) {
            write(sim.registerPath(rnd.nextInt(sim.registers())));
        } else if (pick < 70) {
            read(sim.registerPath(rnd.nextInt(sim.registers())));
        } else if (pick < 88) {
            lock(sim.lockPath(rnd.nextInt(sim.locks())), rnd.nextInt(3) == 0 ? 1 : 0);
        } else if (pick < 92 && !oldSequencers.isEmpty()) {
            checkSequencer(oldSequencers.get(rnd.nextInt(oldSequencers.size())), this::done);
        } else if (pick < 96) {
            ephemeral();
        } else {
            closeSomeHandle();
        }
    }

    /** Opens (creating if need be) the node, or reuses this session's handle on it. */
    private void withHandle(String path, long lockDelayMs, Consumer<ByteString> then) {
        ByteString h = handles.get(path);
        if (h != null) {
            then.accept(h);
            return;
        }
        long forSession = session;
        call(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath("/ls/local" + path).setModeBits(RW)
                .setCreate(Create.CREATE_MAY).setLockDelayMs(lockDelayMs)), true, new Reply() {
                    @Override
                    public void ok(Response r) {
                        if (session != forSession) {
                            return;
                        }
                        handles.put(path, r.getOpen().getHandle());
                        then.accept(r.getOpen().getHandle());
                    }

                    @Override
                    public void failed(Outcome o, ErrorCode code, String why) {
                        if (session != forSession) {
                            return;
                        }
                        if (code == ErrorCode.NO_SUCH_NODE && path.startsWith(AclCopies.DIRECTORY + "/")) {
                            createThenClose("/ls/local" + AclCopies.DIRECTORY, true, () -> { }); // the ACL directory
                            return;
                        }
                        done();
                    }
                });
    }

    private void write(String path) {
        long value = (long) id * 1_000_000_000L + incarnation * 10_000_000L + (++written);
        withHandle(path, 0, h -> {
            cache.remove(path); // the writer's own session is not invalidated: it drops its entry itself
            writing = path;
            CellChecks.Op op = sim.checks.writeInvoked(this, path, value);
            abort = () -> sim.checks.writeEnded(op, CellChecks.Result.UNKNOWN);
            call(Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(h)
                    .setContents(ByteString.copyFromUtf8(Long.toString(value)))), true, new Reply() {
                        @Override
                        public void ok(Response r) {
                            sim.checks.writeEnded(op, CellChecks.Result.OK);
                            cache.remove(path);
                            writing = null;
                            done();
                        }

                        @Override
                        public void failed(Outcome o, ErrorCode code, String why) {
                            sim.checks.writeEnded(op, o == Outcome.UNKNOWN ? CellChecks.Result.UNKNOWN
                                    : CellChecks.Result.FAILED);
                            cache.remove(path);
                            writing = null;
                            handleError(path, code);
                            done();
                        }
                    });
        });
    }

    private void read(String path) {
        if (cache.containsKey(path)) {
            sim.checks.cachedRead(this, path, cache.get(path));
            done();
            return;
        }
        // a compliant client reads some registers uncached; the non-acknowledging one always signs up
        boolean noCache = acknowledges && uncached.nextInt(5) == 0;
        withHandle(path, 0, h -> {
            long invoked = sim.now;
            long forSession = session;
            abort = () -> { };
            call(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(h)
                    .setNoCache(noCache)), false,
                    new Reply() {
                        @Override
                        public void ok(Response r) {
                            String text = r.getGetContents().getContents().toString(StandardCharsets.UTF_8);
                            Long v = text.isEmpty() ? null : Long.parseLong(text);
                            boolean cacheable = r.getGetContents().getCacheable();
                            sim.checks.read(SimClient.this, path, v, invoked);
                            sim.checks.uncachedRead(SimClient.this, path, noCache, cacheable);
                            sim.trace("client " + id + " read " + path + " = " + v + " cacheable=" + cacheable
                                    + (noCache ? " (no_cache)" : ""));
                            // only for the session that read it: another session's invalidations never come
                            if (cacheable && acknowledges && !noCache && !jeopardy && !path.equals(writing)
                                    && session == forSession) {
                                cache.put(path, v);
                            }
                            done();
                        }

                        @Override
                        public void failed(Outcome o, ErrorCode code, String why) {
                            handleError(path, code);
                            done();
                        }
                    });
        });
    }

    private void handleError(String path, ErrorCode code) {
        if (code == ErrorCode.BAD_HANDLE || code == ErrorCode.STALE_SEQUENCER) {
            handles.remove(path);
            cache.remove(path);
        }
    }

    private void lock(String path, int mode) {
        sim.trace("client " + id + " lock " + path + " mode " + mode + " held " + held.keySet());
        if (held.containsKey(path)) {
            release(path);
            return;
        }
        boolean tryOnly = rnd.nextInt(5) == 0;
        long lockDelay = 100 + rnd.nextInt(900);
        withHandle(path, lockDelay, h -> {
            long invoked = sim.now;
            abort = () -> { };
            call(Request.newBuilder().setAcquire(AcquireRequest.newBuilder().setHandle(h)
                    .setMode(mode == 1 ? LockModeKind.SHARED : LockModeKind.EXCLUSIVE).setTryOnly(tryOnly)
                    .setTimeoutMs(300 + rnd.nextInt(1200))), true, new Reply() {
                        @Override
                        public void ok(Response r) {
                            if (!r.getAcquire().getAcquired()) {
                                done();
                                return;
                            }
                            if (sim.healed) {
                                completedAfterHeal++; // a long hold is work done too
                            }
                            Held held0 = new Held(path, mode, r.getAcquire().getLockGeneration(), sim.now);
                            sim.checks.granted(SimClient.this, held0, invoked);
                            if (!safe()) {
                                release(path); // granted too late to use
                                return;
                            }
                            held.put(path, held0);
                            useLock(held0, h);
                        }

                        @Override
                        public void failed(Outcome o, ErrorCode code, String why) {
                            handleError(path, code);
                            // it may have been granted (unknown outcome), or the handle holds or waits
                            // in the other mode from an earlier attempt: give it back either way
                            if ((o == Outcome.UNKNOWN || code == ErrorCode.INVALID_ARGUMENT)
                                    && handles.containsKey(path)) {
                                // close that handle (releasing whatever it holds) and use a new one:
                                // a Release on a handle this client goes on locking with could land
                                // after its next grant and free a lock it believes it holds
                                closeQuietly(handles.remove(path));
                                cache.remove(path);
                            }
                            done();
                        }
                    });
        });
    }

    /** Holds the lock for a while, checking its sequencer now and then, then releases it. */
    private void useLock(Held h, ByteString handle) {
        abort = () -> { };
        if (rnd.nextBoolean()) {
            call(Request.newBuilder().setGetSequencer(GetSequencerRequest.newBuilder().setHandle(handle)), false,
                    new Reply() {
                        @Override
                        public void ok(Response r) {
                            byte[] seq = r.getSequencer().getSequencer().toByteArray();
                            sequencerLocks.put(seq, h);
                            oldSequencers.add(seq);
                            if (oldSequencers.size() > 8) {
                                sequencerLocks.remove(oldSequencers.remove(0));
                            }
                            checkSequencer(seq, () -> holdThenRelease(h));
                        }

                        @Override
                        public void failed(Outcome o, ErrorCode code, String why) {
                            holdThenRelease(h);
                        }
                    });
        } else {
            holdThenRelease(h);
        }
    }

    private void holdThenRelease(Held h) {
        long forSession = session;
        // mostly short holds; some long ones, to be holding when cut off for longer than a lease
        long hold = rnd.nextInt(10) < 7 ? 50 + rnd.nextInt(400) : 1_000 + rnd.nextInt(5_000);
        sim.at(sim.now + hold, () -> {
            if (session == forSession && !crashed && held.get(h.path()) == h) {
                release(h.path());
            }
        });
    }

    private void release(String path) {
        Held h = held.remove(path);
        sim.trace("client " + id + " release " + path + " held " + h);
        if (h != null) {
            sim.checks.released(this, h);
        }
        ByteString handle = handles.get(path);
        if (handle == null) {
            done();
            return;
        }
        call(Request.newBuilder().setRelease(ReleaseRequest.newBuilder().setHandle(handle)), true, new Reply() {
            @Override
            public void ok(Response r) {
                done();
            }

            @Override
            public void failed(Outcome o, ErrorCode code, String why) {
                handleError(path, code);
                done();
            }
        });
    }

    void closeQuietly(ByteString handle) {
        sim.trace("client " + id + " closes a handle quietly");
        call(Request.newBuilder().setClose(CloseRequest.newBuilder().setHandle(handle)), false, new Reply() {
            @Override
            public void ok(Response r) {
            }

            @Override
            public void failed(Outcome o, ErrorCode code, String why) {
            }
        });
    }

    private void checkSequencer(byte[] seq, Runnable then) {
        Held h = sequencerLocks.get(seq);
        long invoked = sim.now;
        call(Request.newBuilder().setCheckSequencer(CheckSequencerRequest.newBuilder()
                .setSequencer(ByteString.copyFrom(seq))), false, new Reply() {
                    @Override
                    public void ok(Response r) {
                        if (h != null) {
                            sim.checks.sequencerChecked(SimClient.this, h, r.getCheckSequencer().getValid(), invoked);
                        }
                        then.run();
                    }

                    @Override
                    public void failed(Outcome o, ErrorCode code, String why) {
                        then.run();
                    }
                });
    }

    private void ephemeral() {
        String path = "/e-" + id + "-" + incarnation + "-" + (++ephemerals);
        long forSession = session;
        call(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath("/ls/local" + path).setModeBits(RW)
                .setCreate(Create.CREATE_MUST).setEphemeral(true)), true, new Reply() {
                    @Override
                    public void ok(Response r) {
                        if (session == forSession) {
                            handles.put(path, r.getOpen().getHandle());
                        }
                        done();
                    }

                    @Override
                    public void failed(Outcome o, ErrorCode code, String why) {
                        done();
                    }
                });
    }

    private void closeSomeHandle() {
        List<String> closable = new ArrayList<>();
        for (String p : handles.keySet()) {
            if (!held.containsKey(p)) {
                closable.add(p);
            }
        }
        if (closable.isEmpty()) {
            done();
            return;
        }
        String path = closable.get(rnd.nextInt(closable.size()));
        ByteString h = handles.remove(path);
        cache.remove(path);
        call(Request.newBuilder().setClose(CloseRequest.newBuilder().setHandle(h)), false, new Reply() {
            @Override
            public void ok(Response r) {
                done();
            }

            @Override
            public void failed(Outcome o, ErrorCode code, String why) {
                done();
            }
        });
    }

    /**
     * Creates {@code path} (CREATE_MUST; a directory or a file), runs {@code created} once it is
     * acknowledged, closes the new handle if the session is still the one that opened it, then ends
     * the operation; a refusal just ends it.
     */
    void createThenClose(String path, boolean directory, Runnable created) {
        long forSession = session;
        call(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(path).setModeBits(RW)
                .setCreate(Create.CREATE_MUST).setDirectory(directory)), true, new Reply() {
                    @Override
                    public void ok(Response r) {
                        created.run();
                        if (session == forSession) {
                            closeQuietly(r.getOpen().getHandle());
                        }
                        done();
                    }

                    @Override
                    public void failed(Outcome o, ErrorCode code, String why) {
                        done();
                    }
                });
    }
}
