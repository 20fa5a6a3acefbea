package io.chubby.client.internal;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.protocol.AcquireReply;
import io.chubby.protocol.CheckSequencerReply;
import io.chubby.protocol.Empty;
import io.chubby.protocol.LockInfoReply;
import io.chubby.protocol.LockModeKind;
import io.chubby.protocol.LockParty;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SequencerReply;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A one-lock-per-path exclusive lock model installed on fake replicas: holders by handle bytes,
 * FIFO waiters whose Acquire exchanges are held and answered on grant or timeout, sequencers in the
 * real layout (with zero check digits), CheckSequencer and LockInfo. Synchronised.
 */
final class FakeLocks {
    private static final class Lock {
        String holder;
        long generation;
        final Deque<FakeReplica.Exchange> waiting = new ArrayDeque<>();
    }

    private final java.util.Map<String, Lock> locks = new java.util.HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fake-locks");
        t.setDaemon(true);
        return t;
    });
    final List<Request> releases = new ArrayList<>();
    volatile boolean holdAcquires = true; // false: a blocking Acquire is answered "not acquired" at once

    void install(FakeReplica r) {
        r.on(Request.BodyCase.ACQUIRE, this::acquire);
        r.on(Request.BodyCase.RELEASE, this::release);
        r.on(Request.BodyCase.GET_SEQUENCER, this::getSequencer);
        r.on(Request.BodyCase.CHECK_SEQUENCER, this::check);
        r.on(Request.BodyCase.LOCK_INFO, this::info);
    }

    private static String path(ByteString handle) {
        return handle.toStringUtf8();
    }

    private synchronized Lock lock(String path) {
        return locks.computeIfAbsent(path, k -> new Lock());
    }

    private void acquire(FakeReplica.Exchange x) {
        var a = x.request.getAcquire();
        String h = path(a.getHandle());
        // Handles are the path bytes in FakeReplica, so a "handle id" is the session plus the path.
        String me = x.request.getSessionId() + ":" + h;
        synchronized (this) {
            Lock l = lock(h);
            if (me.equals(l.holder)) {
                x.reply(granted(l));
            } else if (l.holder == null && l.waiting.isEmpty()) {
                l.holder = me;
                l.generation++;
                x.reply(granted(l));
            } else if (a.getTryOnly() || !holdAcquires) {
                x.reply(Response.newBuilder().setAcquire(AcquireReply.newBuilder().setAcquired(false)
                        .setLockGeneration(l.generation)));
            } else {
                l.waiting.add(x);
                if (a.getTimeoutMs() > 0) {
                    timer.schedule(() -> timeout(l, x), a.getTimeoutMs(), TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    private synchronized void timeout(Lock l, FakeReplica.Exchange x) {
        if (l.waiting.remove(x)) {
            x.reply(Response.newBuilder().setAcquire(AcquireReply.newBuilder().setAcquired(false)));
        }
    }

    private static Response.Builder granted(Lock l) {
        return Response.newBuilder().setAcquire(AcquireReply.newBuilder().setAcquired(true)
                .setLockGeneration(l.generation));
    }

    private void release(FakeReplica.Exchange x) {
        String h = path(x.request.getRelease().getHandle());
        String me = x.request.getSessionId() + ":" + h;
        synchronized (this) {
            releases.add(x.request);
            Lock l = lock(h);
            if (me.equals(l.holder)) {
                l.holder = null;
                FakeReplica.Exchange next = l.waiting.poll();
                if (next != null) {
                    l.holder = next.request.getSessionId() + ":" + h;
                    l.generation++;
                    next.reply(granted(l));
                }
            } else {
                l.waiting.removeIf(w -> (w.request.getSessionId() + ":" + h).equals(me));
            }
        }
        x.reply(Response.newBuilder().setEmpty(Empty.getDefaultInstance()));
    }

    /** Drops the holder as a session expiry would (no grant to waiters: a lock-delay). */
    synchronized void forget(String path) {
        lock(path).holder = null;
    }

    synchronized void grantNext(String path) {
        Lock l = lock(path);
        FakeReplica.Exchange next = l.waiting.poll();
        if (next != null) {
            l.holder = next.request.getSessionId() + ":" + path;
            l.generation++;
            next.reply(granted(l));
        }
    }

    /** Whether someone holds the lock on {@code path}. */
    synchronized boolean held(String path) {
        return lock(path).holder != null;
    }

    synchronized int waiting(String path) {
        return lock(path).waiting.size();
    }

    private synchronized void getSequencer(FakeReplica.Exchange x) {
        String h = path(x.request.getGetSequencer().getHandle());
        Lock l = lock(h);
        if (!(x.request.getSessionId() + ":" + h).equals(l.holder)) {
            x.fail(ErrorCode.INVALID_ARGUMENT, "does not hold the lock");
            return;
        }
        x.reply(Response.newBuilder().setSequencer(SequencerReply.newBuilder()
                .setSequencer(ByteString.copyFrom(sequencer(h, 1, l.generation)))));
    }

    private synchronized void check(FakeReplica.Exchange x) {
        io.chubby.client.Sequencer s;
        try {
            s = io.chubby.client.Sequencer.decode(x.request.getCheckSequencer().getSequencer().toByteArray());
        } catch (RuntimeException e) {
            x.reply(Response.newBuilder().setCheckSequencer(CheckSequencerReply.newBuilder().setReason("forged")));
            return;
        }
        Lock l = lock(s.path());
        boolean valid = l.holder != null && l.generation == s.generation();
        x.reply(Response.newBuilder().setCheckSequencer(CheckSequencerReply.newBuilder().setValid(valid)
                .setReason(valid ? "" : "not held at generation " + s.generation())));
    }

    private synchronized void info(FakeReplica.Exchange x) {
        Lock l = lock(path(x.request.getLockInfo().getHandle()));
        LockInfoReply.Builder b = LockInfoReply.newBuilder().setLockGeneration(l.generation);
        if (l.holder != null) {
            b.addHolders(LockParty.newBuilder().setSessionId(Long.parseLong(l.holder.split(":")[0]))
                    .setMode(LockModeKind.EXCLUSIVE).setClientName("test"));
        }
        for (FakeReplica.Exchange w : l.waiting) {
            b.addWaiters(LockParty.newBuilder().setSessionId(w.request.getSessionId()));
        }
        x.reply(Response.newBuilder().setLockInfo(b));
    }

    /** Sequencer bytes in the real layout (check digits zero: the fake does not authenticate). */
    static byte[] sequencer(String path, long instance, long generation) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream o = new DataOutputStream(bytes);
            o.writeByte(0x53);
            o.writeByte(1);
            o.writeByte(1);
            byte[] p = path.getBytes(StandardCharsets.UTF_8);
            o.writeInt(p.length);
            o.write(p);
            o.writeLong(instance);
            o.writeByte(0);
            o.writeLong(generation);
            o.write(new byte[16]);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    void close() {
        timer.shutdownNow();
    }
}
