package io.chubby.sim;

import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.cell.internal.replica.CellStateMachine;
import io.chubby.cell.internal.state.CellState;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.CommandCodec;
import io.chubby.cell.internal.state.LockRecord;
import io.chubby.cell.internal.state.Node;
import io.chubby.cell.internal.state.NodeChange;
import io.chubby.cell.internal.state.Result;
import io.chubby.paxos.core.Entry;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.sim.check.Linearizability;
import io.chubby.sim.check.Operation;
import io.chubby.sim.check.RegisterModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the whole-cell simulation checks, after every event and at the end of a run (a violation
 * throws {@link SimulationFailure}, which names the seed):
 * <ul>
 *   <li>reads and writes of the registers are linearizable (the recorded history, checked at the
 *       end with {@link Linearizability}); at once, no read (cached or not) returns a value that a
 *       write acknowledged before the read began had already replaced;</li>
 *   <li>no stale read from a serving master: a read is answered only by a replica that has applied
 *       at least as far as any master that answered before it;</li>
 *   <li>at any instant, of the clients that hold a lock and whose session is safe by their own
 *       clock, at most one holds it exclusively, or all share it; the replicated lock state agrees
 *       (one exclusive holder or only shared ones) after every entry;</li>
 *   <li>lock generations only grow: per node in the replicated state, and as clients see them (a
 *       grant seen after another grant completed is not older, and newer when either is exclusive);</li>
 *   <li>a sequencer the cell calls valid is not stale: no newer generation of its lock was granted
 *       and acknowledged before the check was asked;</li>
 *   <li>no lock is granted while a lock-delay set by an ended session is running;</li>
 *   <li>an ephemeral node never outlives every session holding a handle on it, but for a directory
 *       that still holds a child (here, or in another group: checked at quiescence by
 *       {@link DirectoryChecks});</li>
 *   <li>no INTERNAL (or PROTOCOL_ERROR) ever: not from an apply, not in an answer;</li>
 *   <li>no write waits for one cache holder (acknowledging or not) longer than the longest lease
 *       a session can hold ({@code cell.session.max.lease.ms}) plus two timer ticks, as the master
 *       measures it; a {@code no_cache} read is never answered cacheable.</li>
 * </ul>
 * Replica-level checks run on the first replica to apply each log index (all apply the same
 * entries to the same state, which the Paxos oracle checks by checksum).
 */
final class CellChecks {
    /** How a write ended. */
    enum Result { OK, FAILED, UNKNOWN }

    /** One register write. */
    static final class Op {
        final int client;
        final String path;
        final long value;
        final long invoke;
        long complete = -1;
        Result result;

        Op(int client, String path, long value, long invoke) {
            this.client = client;
            this.path = path;
            this.value = value;
            this.invoke = invoke;
        }
    }

    private record Grant(long complete, long generation, int mode, int client) {
    }

    private final CellSimulation sim;
    /** Calls the authorizer denied, and calls whose admission the apply refused (the ACL file moved on). */
    long aclDenials;
    long aclGuardRefusals;
    private final Map<String, List<Op>> writes = new TreeMap<>();
    private final Map<Long, Op> byValue = new HashMap<>();
    private final Map<String, List<Operation>> history = new TreeMap<>();
    private final Map<String, List<Grant>> grants = new TreeMap<>();
    private long answeredThrough;
    private SimulationFailure failure;
    private long checkedThrough;
    private Map<String, LockRecord> locksBefore = Map.of();
    private Command command;
    private final TreeSet<String> ephemerals = new TreeSet<>();
    private final Map<String, long[]> lockGenerations = new TreeMap<>();
    long reads;
    long cachedReads;
    long writesOk;
    long lockGrants;
    long sequencerChecks;
    long longestHolderWaitMillis;

    CellChecks(CellSimulation sim) {
        this.sim = sim;
    }

    // ------------------------------------------------------------------ client side

    Op writeInvoked(SimClient c, String path, long value) {
        Op op = new Op(c.id, path, value, sim.now);
        writes.computeIfAbsent(path, k -> new ArrayList<>()).add(op);
        byValue.put(value, op);
        return op;
    }

    void writeEnded(Op op, Result r) {
        if (op.result != null) {
            return;
        }
        op.result = r;
        op.complete = r == Result.UNKNOWN ? Operation.UNKNOWN : sim.now;
        if (r == Result.OK) {
            writesOk++;
        }
        if (r != Result.FAILED) {
            history.computeIfAbsent(op.path, k -> new ArrayList<>()).add(new Operation(op.client, us(op.invoke),
                    us(op.complete), new RegisterModel.Write(op.value), null));
        }
    }

    void read(SimClient c, String path, Long value, long invoked) {
        reads++;
        notStale(c, path, value, invoked, "read");
        history.computeIfAbsent(path, k -> new ArrayList<>()).add(new Operation(c.id, us(invoked), us(sim.now),
                new RegisterModel.Read(), value));
    }

    void cachedRead(SimClient c, String path, Long value) {
        cachedReads++;
        notStale(c, path, value, sim.now, "cached read");
        // served without a round trip, it still takes a moment (the checker orders completions before
        // invocations at equal times, so a zero-length operation would end before it began)
        history.computeIfAbsent(path, k -> new ArrayList<>()).add(new Operation(c.id, us(sim.now), us(sim.now) + 1,
                new RegisterModel.Read(), value));
    }

    /** History times are in microseconds of virtual time. */
    private static long us(long millis) {
        return millis == Operation.UNKNOWN ? millis : millis * 1000;
    }

    /** A read begun at {@code invoked} must not return what an acknowledged write had already replaced. */
    private void notStale(SimClient c, String path, Long value, long invoked, String what) {
        List<Op> ws = writes.getOrDefault(path, List.of());
        if (value == null) {
            for (Op w : ws) {
                if (w.result == Result.OK && w.complete < invoked) {
                    throw new SimulationFailure(what + " by client " + c.id + " of " + path + " found it empty, but "
                            + w.value + " was written and acknowledged at " + w.complete + " before the read began at "
                            + invoked);
                }
            }
            return;
        }
        Op source = byValue.get(value);
        if (source == null || !source.path.equals(path) || source.result == Result.FAILED) {
            throw new SimulationFailure(what + " by client " + c.id + " of " + path + " returned " + value
                    + ", which no write put there");
        }
        if (source.result != Result.OK) {
            return; // its effect may come at any time
        }
        for (Op w : ws) {
            if (w != source && w.result == Result.OK && w.invoke > source.complete && w.complete < invoked) {
                throw new SimulationFailure(what + " by client " + c.id + " of " + path + " at " + invoked
                        + " returned " + value + " (acknowledged at " + source.complete + ") but " + w.value
                        + " replaced it, acknowledged at " + w.complete);
            }
        }
    }

    void granted(SimClient c, SimClient.Held h, long invoked) {
        lockGrants++;
        List<Grant> gs = grants.computeIfAbsent(h.path(), k -> new ArrayList<>());
        for (Grant g : gs) {
            if (g.complete() >= invoked || (g.client() == c.id && g.generation() == h.generation())) {
                continue; // concurrent; or the same holder asking again (its Release did not take effect)
            }
            boolean strict = g.mode() == LockRecord.EXCLUSIVE || h.mode() == LockRecord.EXCLUSIVE;
            if (h.generation() < g.generation() || (strict && h.generation() == g.generation())) {
                throw new SimulationFailure("client " + c.id + " was granted " + h.path() + " at generation "
                        + h.generation() + " after client " + g.client() + " had been granted generation "
                        + g.generation() + " (" + LockRecord.modeName(g.mode()) + ") before it asked");
            }
        }
        gs.add(new Grant(sim.now, h.generation(), h.mode(), c.id));
    }

    void released(SimClient c, SimClient.Held h) {
        // the client stops using the lock when it sends the Release: nothing to check
    }

    void sequencerChecked(SimClient c, SimClient.Held h, boolean valid, long invoked) {
        sequencerChecks++;
        if (!valid) {
            return;
        }
        for (Grant g : grants.getOrDefault(h.path(), List.of())) {
            if (g.complete() < invoked && g.generation() > h.generation()) {
                throw new SimulationFailure("the cell called client " + c.id + "'s sequencer for " + h.path()
                        + " at generation " + h.generation() + " valid, but client " + g.client()
                        + " had been granted generation " + g.generation() + " before the check was asked");
            }
        }
    }

    /** A read sent with {@code no_cache} must be answered uncacheable (the session was not signed up). */
    void uncachedRead(SimClient c, String path, boolean noCache, boolean cacheable) {
        if (noCache && cacheable) {
            throw new SimulationFailure("client " + c.id + " read " + path + " with no_cache and was told it may cache it");
        }
    }

    /**
     * Issue 25: a write waits for a cache holder at most until the lease end the holder had when it
     * was invalidated; that lease is not extended meanwhile, so it is at most the longest lease a
     * session can hold. The master's own measure (its clock), checked at every timer tick, crash and
     * the end of the run; the slack is the timer's period, twice, plus the time the master itself
     * was paused meanwhile (a pause shorter than its lease leaves it master, and its timer, which
     * ends the wait, cannot run while it is stopped: no client can make up for that).
     */
    void holderWaits(SimCellReplica r) {
        if (r.cell == null) {
            return;
        }
        long waited = r.cell.longestCacheHolderWaitMillis();
        if (waited <= r.holderWaitChecked) {
            return; // a longest wait, once checked, stays the replica's longest
        }
        r.holderWaitChecked = waited;
        long bound = CellSimulation.HOLDER_WAIT_BOUND_MS;
        long paused = r.pausedWithin(sim.now - waited - bound, sim.now);
        longestHolderWaitMillis = Math.max(longestHolderWaitMillis, waited);
        if (waited > bound + paused) {
            throw new SimulationFailure("replica " + r.id + ": a write waited " + waited + " ms for one cache holder, "
                    + "longer than the longest lease (" + CellSimulation.SETTINGS.maxLeaseMillis()
                    + " ms) and two timer ticks" + (paused > 0 ? " and the " + paused + " ms it was paused" : ""));
        }
    }

    void errorAnswer(SimClient c, Request.Builder call, ErrorCode code, String message) {
        if (code == ErrorCode.INTERNAL || code == ErrorCode.PROTOCOL_ERROR) {
            throw new SimulationFailure("client " + c.id + " got " + code + " for " + call.getBodyCase() + ": "
                    + message);
        }
        if (code == ErrorCode.PERMISSION_DENIED) {
            if (!sim.acl) {
                throw new SimulationFailure("client " + c.id + " was denied " + call.getBodyCase()
                        + " in a seed without access control: " + message);
            }
            aclDenials++;
        } else if (code == ErrorCode.CELL_UNAVAILABLE && (message.contains("changed while the call was in flight")
                || message.contains("is being changed"))) {
            aclGuardRefusals++;
        }
    }

    void clientGone(SimClient c) {
        // holders are computed from each client's own state at every event
    }

    /**
     * Records a violation seen inside the cell's own call stack (an answer being sent), where the
     * cell would catch the exception, and throws it; {@link #afterEvent} throws it again.
     */
    private void fail(String why) {
        if (failure == null) {
            failure = new SimulationFailure(why);
        }
        throw failure;
    }

    /** After every event: anything caught inside the cell, and lock holders as the clients see them. */
    void afterEvent() {
        if (failure != null) {
            throw failure;
        }
        Map<String, List<SimClient.Held>> holders = new TreeMap<>();
        Map<String, List<Integer>> who = new TreeMap<>();
        for (SimClient c : sim.clients) {
            if (!c.safe()) {
                continue;
            }
            for (SimClient.Held h : c.held.values()) {
                holders.computeIfAbsent(h.path(), k -> new ArrayList<>()).add(h);
                who.computeIfAbsent(h.path(), k -> new ArrayList<>()).add(c.id);
            }
        }
        holders.forEach((path, hs) -> {
            if (hs.size() > 1 && hs.stream().anyMatch(h -> h.mode() == LockRecord.EXCLUSIVE)) {
                throw new SimulationFailure("clients " + who.get(path) + " hold " + path + " at once: " + hs);
            }
        });
    }

    // ------------------------------------------------------------------ replica side

    /** A replica sends an answer: reads come only from a master that applied as far as any before it. */
    void answered(SimCellReplica r, byte[] bytes, boolean workloadGroup) {
        Response resp;
        try {
            resp = Response.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new SimulationFailure("replica " + r.id + " sent an undecodable answer");
        }
        if (resp.hasError()) {
            if (resp.getError().getCode() == ErrorCode.INTERNAL.wire()) {
                fail("replica " + r.id + " answered INTERNAL: " + resp.getError().getMessage());
            }
            return;
        }
        if (!workloadGroup) {
            return; // an answer of another group: the read checks below watch the workload group's indexes
        }
        if (resp.hasMasterLocation() || resp.hasStatus() || resp.hasAdmin() || r.machine == null) {
            return;
        }
        long applied = r.machine.appliedIndex();
        boolean read = resp.hasGetContents() || resp.hasReadDir() || resp.hasCheckSequencer() || resp.hasSequencer()
                || resp.hasLockInfo();
        if (read && applied < answeredThrough) {
            fail("stale read: replica " + r.id + " answered a read at applied index " + applied
                    + " after a master had answered at " + answeredThrough);
        }
        long earlier = read && r.node != null ? sim.paxos.maxChosenBefore(r.node.epoch()) : 0;
        if (applied < earlier) {
            fail("replica " + r.id + " (epoch " + r.node.epoch() + ") answered a read at applied index " + applied
                    + " but entries of earlier epochs are chosen up to " + earlier + " (its barrier is not applied)");
        }
        answeredThrough = Math.max(answeredThrough, applied);
    }

    void beforeApply(SimCellReplica r, Entry e) {
        if (e.index() <= checkedThrough) {
            return;
        }
        command = e.value().length == 0 ? null : CommandCodec.decode(e.value());
        Map<String, LockRecord> before = new TreeMap<>();
        r.machine.read(s -> {
            s.locks().forEachLock(before::put);
            return null;
        });
        locksBefore = before;
    }

    void afterApply(SimCellReplica r, Entry e, byte[] resultBytes) {
        io.chubby.cell.internal.state.Result result = io.chubby.cell.internal.state.Result.decode(resultBytes);
        if (result instanceof io.chubby.cell.internal.state.Result.Failed f && f.code() == ErrorCode.INTERNAL) {
            throw new SimulationFailure("replica " + r.id + " failed entry " + e.index() + " with INTERNAL: "
                    + f.message());
        }
        if (e.index() <= checkedThrough) {
            return;
        }
        checkedThrough = e.index();
        CellStateMachine m = r.machine;
        boolean applied = !(result instanceof io.chubby.cell.internal.state.Result.Failed);
        m.read(s -> {
            checkLocks(s, e.index());
            checkEphemerals(s, e.index());
            if (sim.acl && applied) {
                String node = sim.authorizer.gatedByOdd(s, command, result);
                String broken = node == null ? null
                        : sim.authorizer.violation(node, e.index(), sim.authorizer.gateContents(s));
                if (broken != null) {
                    throw new SimulationFailure(broken);
                }
            }
            return null;
        });
    }

    private void checkLocks(CellState s, long index) {
        long now = nowOf(command);
        s.locks().forEachLock((path, after) -> {
            if (after.holders().size() > 1 && after.heldMode() == LockRecord.EXCLUSIVE) {
                throw new SimulationFailure("entry " + index + " left " + path + " with holders " + after.holders());
            }
            LockRecord before = locksBefore.get(path);
            if (sim.tracing() && (before == null || !before.equals(after))) {
                Node gn = s.nodeAt(path);
                sim.trace("entry " + index + " " + describe(command) + " lock " + path + " " + after.holders()
                        + " waiters " + after.waiters().size() + " delay " + after.delayUntilMillis() + " gen "
                        + (gn == null ? "?" : gn.lockGeneration()));
            }
            boolean grantedNow = !after.holders().isEmpty() && (before == null || before.holders().isEmpty()
                    || before.instance() != after.instance());
            if (grantedNow && before != null && before.instance() == after.instance()
                    && before.delayUntilMillis() != 0 && (now < 0 || now < before.delayUntilMillis())) {
                throw new SimulationFailure("entry " + index + " (" + describe(command) + ") granted " + path
                        + " during its lock-delay (until " + before.delayUntilMillis() + ", now " + now + ")");
            }
            Node n = s.nodeAt(path);
            if (n != null) {
                long[] seen = lockGenerations.get(path);
                if (seen != null && seen[0] == n.instance() && n.lockGeneration() < seen[1]) {
                    throw new SimulationFailure("lock generation of " + path + " went back from " + seen[1] + " to "
                            + n.lockGeneration() + " at entry " + index);
                }
                lockGenerations.put(path, new long[] {n.instance(), n.lockGeneration()});
            }
        });
    }

    private void checkEphemerals(CellState s, long index) {
        for (NodeChange c : s.nodeChanges()) {
            if (c.kind() == NodeChange.Kind.CREATED && c.node().ephemeral()) {
                ephemerals.add(c.path());
            }
        }
        for (String path : List.copyOf(ephemerals)) {
            Node n = s.nodeAt(path);
            if (n == null || !n.ephemeral()) {
                ephemerals.remove(path);
                if (n == null && sim.dirs.ephemeral(path)) {
                    sim.dirChecks.ephemeralsReaped++;
                }
                continue;
            }
            if (!DirectoryChecks.held(s, n) && !keptForChildren(s, path, n)) {
                throw new SimulationFailure("ephemeral " + path + " outlived every session with a handle on it (entry "
                        + index + ")");
            }
        }
    }

    /**
     * An ephemeral directory outlives its last handle while it holds a child (docs/PARTITIONING.md
     * 4.3): a local one while this state shows one; one whose children live in another group
     * always here, since this group cannot see them: {@link DirectoryChecks} requires it gone at
     * quiescence unless that group holds a child. Files never.
     */
    private static boolean keptForChildren(CellState s, String path, Node n) {
        if (!n.directory()) {
            return false;
        }
        return s.layout().crossesGroups(NodePath.parse("/ls/" + s.cell() + path)) || !s.children(path).isEmpty();
    }

    /** A replica reloaded its state (start, snapshot): ephemerals are re-read from it. */
    void reloaded(SimCellReplica r) {
        r.machine.read(s -> {
            collectEphemerals(s, "/");
            return null;
        });
    }

    private void collectEphemerals(CellState s, String dir) {
        for (var e : s.children(dir)) {
            String p = dir.equals("/") ? "/" + e.name() : dir + "/" + e.name();
            if (e.stat().ephemeral()) {
                ephemerals.add(p);
            }
            if (e.stat().directory()) {
                collectEphemerals(s, p);
            }
        }
    }

    private static long nowOf(Command entry) {
        Command c = Command.unguarded(entry);
        if (c instanceof Command.Acquire a) {
            return a.nowMillis();
        } else if (c instanceof Command.Release x) {
            return x.nowMillis();
        } else if (c instanceof Command.CancelWait x) {
            return x.nowMillis();
        } else if (c instanceof Command.LockDelayExpired x) {
            return x.nowMillis();
        } else if (c instanceof Command.EndSession x) {
            return x.nowMillis();
        }
        return -1;
    }

    private static String describe(Command c) {
        return c == null ? "no-op" : c.getClass().getSimpleName();
    }

    // ------------------------------------------------------------------ end of run

    /** Every register's history is linearizable (writes never answered count as of unknown outcome). */
    void finish() {
        writes.values().forEach(ws -> ws.forEach(w -> writeEnded(w, Result.UNKNOWN)));
        history.forEach((path, ops) -> {
            var r = Linearizability.check(new RegisterModel(), ops);
            if (!r.linearizable()) {
                StringBuilder b = new StringBuilder();
                ops.stream().sorted(java.util.Comparator.comparingLong(Operation::invoke)).limit(120)
                        .forEach(o -> b.append("\n  c").append(o.client()).append(' ').append(o.invoke()).append("..")
                                .append(o.known() ? Long.toString(o.complete()) : "?").append(' ').append(o.input())
                                .append(" -> ").append(o.output()));
                throw new SimulationFailure("history of " + path + " is not linearizable (" + ops.size()
                        + " operations); longest explained prefix " + r.longestLinearization().size() + ":" + b);
            }
        });
    }
}
