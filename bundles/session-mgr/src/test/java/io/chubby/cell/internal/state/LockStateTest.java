package io.chubby.cell.internal.state;

import static io.chubby.cell.internal.state.TestCell.expectFail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lock semantics of the pure core: modes, fairness, generations, lock-delay, sequencers, fencing. */
class LockStateTest {
    private static final int X = LockRecord.EXCLUSIVE;
    private static final int S = LockRecord.SHARED;
    private final TestCell c = TestCell.initialised();

    private record H(long session, long id, byte[] token) {
    }

    private H open(String path, long lockDelay) {
        long s = c.session();
        Result.Opened o = (Result.Opened) c.ok(new Command.Open(s, path, Modes.ALL, CreateMode.MAY, false, false,
                new byte[0], null, null, null, 0, lockDelay, c.now));
        return new H(s, c.handle(o, s).handleId(), o.handle());
    }

    private H open(String path) {
        return open(path, 10_000);
    }

    private Result.Locked acquire(H h, int mode) {
        return (Result.Locked) c.ok(new Command.Acquire(h.session, h.id, mode, false, c.now));
    }

    private Result.Locked tryAcquire(H h, int mode) {
        return (Result.Locked) c.ok(new Command.Acquire(h.session, h.id, mode, true, c.now));
    }

    private void release(H h) {
        c.ok(new Command.Release(h.session, h.id, c.now));
    }

    private LockRecord lock(H h) {
        return c.state.locks().lockOf(c.state.handle(h.id));
    }

    private List<Long> holders(H h) {
        return lock(h).holders().stream().map(LockRecord.Party::handleId).toList();
    }

    private List<Long> waiters(H h) {
        return lock(h).waiters().stream().map(LockRecord.Party::handleId).toList();
    }

    private long generation(H h) {
        return c.state.nodeOf(c.state.handle(h.id)).lockGeneration();
    }

    private byte[] sequencer(H h) {
        return c.state.locks().sequencerFor(c.state.handle(h.id)).encode(c.state.secret());
    }

    private String check(byte[] seq) {
        try {
            return c.state.locks().problem(Sequencer.decode(seq, c.state.secret()));
        } catch (ChubbyException e) {
            return e.detail();
        }
    }

    @Test
    void exclusiveExcludesEveryoneSharedAdmitsShared() {
        H a = open("/ls/c/f");
        H b = open("/ls/c/f");
        H d = open("/ls/c/f");
        assertEquals(Result.Locked.GRANTED, acquire(a, X).outcome());
        assertEquals(Result.Locked.BUSY, tryAcquire(b, X).outcome());
        assertEquals(Result.Locked.BUSY, tryAcquire(b, S).outcome());
        release(a);
        assertEquals(Result.Locked.GRANTED, tryAcquire(b, S).outcome());
        assertEquals(Result.Locked.GRANTED, tryAcquire(d, S).outcome());
        assertEquals(List.of(b.id, d.id), holders(a));
        assertEquals(Result.Locked.BUSY, tryAcquire(a, X).outcome());
        // Acquire is idempotent per handle in the same mode; another mode is refused.
        assertEquals(Result.Locked.GRANTED, acquire(b, S).outcome());
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                expectFail(() -> c.ok(new Command.Acquire(b.session, b.id, X, false, c.now))).code());
    }

    @Test
    void lockingNeedsAWriteHandle() {
        long s = c.session();
        c.create(s, "/ls/c/ro", false, false);
        Result.Opened ro = c.open(s, "/ls/c/ro", Modes.READ, CreateMode.NO, false, false, null);
        long id = c.handle(ro, s).handleId();
        assertEquals(ErrorCode.PERMISSION_DENIED,
                expectFail(() -> c.ok(new Command.Acquire(s, id, X, false, c.now))).code());
    }

    @Test
    void waitersAreServedFifoAndSharedDoesNotOvertakeAWaitingWriter() {
        H r1 = open("/ls/c/f");
        H w = open("/ls/c/f");
        H r2 = open("/ls/c/f");
        H r3 = open("/ls/c/f");
        assertEquals(Result.Locked.GRANTED, acquire(r1, S).outcome());
        assertEquals(Result.Locked.WAITING, acquire(w, X).outcome());
        // r2 is compatible with the current shared holder but must queue behind the writer.
        assertEquals(Result.Locked.WAITING, acquire(r2, S).outcome());
        assertEquals(Result.Locked.BUSY, tryAcquire(r3, S).outcome());
        assertEquals(Result.Locked.WAITING, acquire(r3, S).outcome());
        assertEquals(List.of(w.id, r2.id, r3.id), waiters(r1));
        c.state.locks().drainNotices();

        c.ok(new Command.Release(r1.session, r1.id, c.now));
        assertEquals(List.of(w.id), holders(r1));
        List<LockNotice> n = c.state.locks().drainNotices();
        assertTrue(n.contains(new LockNotice.Granted(w.session, w.id, "/ls/c/f", X, 2)), n::toString);

        release(w);
        // Both readers behind the writer are let in together, with one new generation.
        assertEquals(List.of(r2.id, r3.id), holders(r1));
        assertEquals(3, generation(r1));
        assertTrue(waiters(r1).isEmpty());
    }

    @Test
    void generationBumpsOnEveryFreeToHeldTransitionOnly() {
        H a = open("/ls/c/f");
        H b = open("/ls/c/f");
        assertEquals(0, generation(a));
        assertEquals(1, acquire(a, S).generation());
        assertEquals(1, acquire(b, S).generation());
        release(a);
        assertEquals(1, generation(a));
        release(b);
        assertEquals(2, acquire(a, X).generation());
        assertEquals(2, c.state.nodeOf(c.state.handle(a.id)).stat().lockGeneration());
    }

    @Test
    void conflictAndAcquiredNoticesForEvents() {
        H a = open("/ls/c/f");
        H b = open("/ls/c/f");
        acquire(a, X);
        List<LockNotice> first = c.state.locks().drainNotices();
        assertTrue(first.stream().anyMatch(n -> n instanceof LockNotice.Acquired q && q.generation() == 1));
        acquire(b, X);
        List<LockNotice> second = c.state.locks().drainNotices();
        assertEquals(List.of(new LockNotice.Conflict("/ls/c/f", 1,
                List.of(new LockRecord.Party(a.id, a.session, X)), X)), second);
    }

    @Test
    void lockDelayAfterSessionExpiryButNotAfterRelease() {
        H a = open("/ls/c/f", 5_000);
        H b = open("/ls/c/f");
        acquire(a, X);
        assertEquals(Result.Locked.WAITING, acquire(b, X).outcome());
        c.ok(new Command.EndSession(a.session, "lease expired", true, c.now));
        assertTrue(holders(b).isEmpty(), "nobody may hold it during the lock-delay");
        assertEquals(c.now + 5_000, lock(b).delayUntilMillis());
        assertEquals(List.of("/ls/c/f"), c.state.locks().delaysDue(c.now + 5_000));
        assertTrue(c.state.locks().delaysDue(c.now + 4_999).isEmpty());
        H d = open("/ls/c/f");
        assertEquals(Result.Locked.BUSY, tryAcquire(d, X).outcome());
        // An early LockDelayExpired (clock said not yet) changes nothing.
        c.ok(new Command.LockDelayExpired("/ls/c/f", c.now + 4_000));
        assertTrue(holders(b).isEmpty());
        c.ok(new Command.LockDelayExpired("/ls/c/f", c.now + 5_000));
        assertEquals(List.of(b.id), holders(b));
        assertEquals(0, lock(b).delayUntilMillis());

        // A normal release frees at once, as does a client's CloseSession.
        release(b);
        assertEquals(Result.Locked.GRANTED, tryAcquire(d, X).outcome());
        c.ok(new Command.EndSession(d.session, "closed by client", false, c.now));
        H e = open("/ls/c/f");
        assertEquals(Result.Locked.GRANTED, tryAcquire(e, X).outcome());
    }

    @Test
    void lockDelayPassesForAnAcquireCarryingALaterTime() {
        H a = open("/ls/c/f", 2_000);
        acquire(a, X);
        c.ok(new Command.EndSession(a.session, "lease expired", true, c.now));
        H b = open("/ls/c/f");
        c.now += 2_000;
        assertEquals(Result.Locked.GRANTED, tryAcquire(b, X).outcome());
    }

    @Test
    void zeroLockDelayFreesAtExpiry() {
        H a = open("/ls/c/f", 0);
        H b = open("/ls/c/f");
        acquire(a, X);
        acquire(b, X);
        c.ok(new Command.EndSession(a.session, "lease expired", true, c.now));
        assertEquals(List.of(b.id), holders(b));
    }

    @Test
    void closingAHandleReleasesAndDropsItsWait() {
        H a = open("/ls/c/f");
        H b = open("/ls/c/f");
        H d = open("/ls/c/f");
        acquire(a, X);
        acquire(b, X);
        acquire(d, X);
        c.state.locks().drainNotices();
        c.ok(new Command.CloseHandle(b.session, b.id));
        assertEquals(List.of(new LockNotice.WaitEnded(b.session, b.id, ErrorCode.CANCELLED, "handle closed")),
                c.state.locks().drainNotices());
        c.ok(new Command.CloseHandle(a.session, a.id));
        assertEquals(List.of(d.id), holders(d));
        // Releasing while waiting cancels the wait; CancelWait on a holder reports the grant.
        H e = open("/ls/c/f");
        acquire(e, S);
        release(e);
        assertTrue(waiters(d).isEmpty());
        assertEquals(Result.Locked.GRANTED,
                ((Result.Locked) c.ok(new Command.CancelWait(d.session, d.id, c.now))).outcome());
    }

    @Test
    void cancelWaitLetsCompatibleWaitersBehindIn() {
        H r = open("/ls/c/f");
        H w = open("/ls/c/f");
        H r2 = open("/ls/c/f");
        acquire(r, S);
        acquire(w, X);
        acquire(r2, S);
        assertEquals(Result.Locked.CANCELLED,
                ((Result.Locked) c.ok(new Command.CancelWait(w.session, w.id, c.now))).outcome());
        assertEquals(List.of(r.id, r2.id), holders(r));
    }

    @Test
    void sequencerValidUntilReleaseAndNeverForgeable() {
        H a = open("/ls/c/f");
        H b = open("/ls/c/f");
        assertEquals(ErrorCode.INVALID_ARGUMENT, expectFail(() -> sequencer(a)).code());
        acquire(a, X);
        byte[] seq = sequencer(a);
        assertNull(check(seq));
        Sequencer q = Sequencer.decode(seq, c.state.secret());
        assertEquals(new Sequencer("/ls/c/f", c.state.handle(a.id).instance(), X, 1), q);

        byte[] altered = seq.clone();
        altered[10] ^= 1;
        assertTrue(check(altered).startsWith("forged"), check(altered));
        assertTrue(check(new byte[] {1, 2, 3}).startsWith("forged"));
        assertTrue(check(new byte[0]).startsWith("forged"));
        assertTrue(check(a.token).startsWith("forged"), "a handle is not a sequencer");
        byte[] otherCell = q.encode("another-secret-another-secret-xx".getBytes());
        assertTrue(check(otherCell).startsWith("forged"));

        release(a);
        assertTrue(check(seq).contains("not held"), check(seq));
        acquire(b, X);
        assertTrue(check(seq).contains("generation is 2"), check(seq));
        release(b);
        acquire(b, S);
        assertTrue(check(sequencer(b)) == null);
    }

    @Test
    void sequencerInvalidAfterNodeRecreated() {
        H a = open("/ls/c/f");
        acquire(a, X);
        byte[] seq = sequencer(a);
        c.ok(new Command.Delete(a.session, a.id));
        assertTrue(check(seq).contains("no longer exists"), check(seq));
        open("/ls/c/f");
        assertTrue(check(seq).contains("re-created"), check(seq));
    }

    @Test
    void setSequencerFencesLaterCallsOnThatHandle() {
        H holder = open("/ls/c/lock");
        H other = open("/ls/c/lock");
        H resource = open("/ls/c/data");
        acquire(holder, X);
        byte[] seq = sequencer(holder);
        c.ok(new Command.SetSequencer(resource.session, resource.id, seq));
        c.ok(new Command.SetContents(resource.session, resource.id, "v1".getBytes(), false, 0, c.now));
        assertEquals(resource.id, c.state.checkHandle(resource.token, resource.session).handleId());

        c.ok(new Command.EndSession(holder.session, "lease expired", true, c.now));
        acquire(other, X);
        ChubbyException e = expectFail(() -> c.ok(new Command.SetContents(resource.session, resource.id,
                "stale".getBytes(), false, 0, c.now)));
        assertEquals(ErrorCode.STALE_SEQUENCER, e.code());
        assertEquals(ErrorCode.STALE_SEQUENCER,
                expectFail(() -> c.state.checkHandle(resource.token, resource.session)).code());
        // Setting a stale or forged sequencer fails at once.
        assertEquals(ErrorCode.STALE_SEQUENCER,
                expectFail(() -> c.ok(new Command.SetSequencer(other.session, other.id, seq))).code());
        byte[] forged = seq.clone();
        forged[forged.length - 1] ^= 1;
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                expectFail(() -> c.ok(new Command.SetSequencer(other.session, other.id, forged))).code());
        // Close still works on the fenced handle, and the fence goes with it.
        c.ok(new Command.CloseHandle(resource.session, resource.id));
        assertNull(c.state.locks().sequencerOf(resource.id));
    }

    @Test
    void failedLockCommandChangesNothing() {
        H a = open("/ls/c/f");
        long before = c.state.checksum();
        assertFalse(c.run(new Command.Acquire(a.session, a.id, 7, false, c.now)) instanceof Result.Locked);
        assertFalse(c.run(new Command.Acquire(a.session, 999, X, false, c.now)) instanceof Result.Locked);
        assertEquals(before, c.state.checksum());
    }
}
