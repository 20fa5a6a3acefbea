package io.chubby.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.client.MasterChannel;
import io.chubby.protocol.GroupKeepAliveReply;
import io.chubby.protocol.GroupKeepAliveRequest;
import io.chubby.protocol.GroupMember;
import io.chubby.protocol.GroupMemberReply;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The master as a {@link GroupKeeper} sees it: group calls recorded in order, each answered when the
 * test says. An answer completes the call's future on the test's thread, so the keeper's reaction
 * to it has run when {@link #answer} returns.
 */
final class CapturingMasterChannel implements MasterChannel {
    private final long leaseMs;
    final List<GroupKeepAliveRequest> calls = new ArrayList<>();
    final List<CompletableFuture<byte[]>> answers = new ArrayList<>();
    /** The partition each call named (0: none). */
    final List<Integer> partitions = new ArrayList<>();
    /** The partition of each relocation (0 for a keeper of a cell of one partition). */
    final List<Integer> relocated = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** @param leaseMs the lease every member gets in {@link #answer(int)} */
    CapturingMasterChannel(long leaseMs) {
        this.leaseMs = leaseMs;
    }

    @Override
    public synchronized CompletableFuture<byte[]> call(byte[] request, Retry retry, Duration timeout) {
        try {
            Request r = Request.parseFrom(request);
            calls.add(r.getGroupKeepAlive());
            partitions.add(r.getPartition());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        answers.add(f);
        notifyAll();
        // as the real channel: a call not answered within its timeout fails
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletableFuture<byte[]> call(byte[] request, Retry retry) {
        return call(request, retry, Duration.ofSeconds(10));
    }

    /** Group calls made so far. */
    synchronized int callCount() {
        return calls.size();
    }

    synchronized void awaitCalls(int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (calls.size() < n && System.nanoTime() < end) {
            wait(100);
        }
        assertTrue(calls.size() >= n, "expected " + n + " group calls, got " + calls.size());
    }

    /** Answers call {@code i} as the master would: every member extended. */
    void answer(int i) {
        answer(i, KeepAliveReply.newBuilder().setLeaseMs(leaseMs).build());
    }

    /** Answers call {@code i} with {@code reply} in every member's slot. */
    void answer(int i, KeepAliveReply reply) {
        GroupKeepAliveReply.Builder b = GroupKeepAliveReply.newBuilder().setEpoch(1);
        GroupKeepAliveRequest req;
        CompletableFuture<byte[]> f;
        synchronized (this) {
            req = calls.get(i);
            f = answers.get(i);
        }
        for (GroupMember m : req.getMembersList()) {
            b.addMembers(GroupMemberReply.newBuilder().setSessionId(m.getSessionId()).setReply(reply));
        }
        f.complete(Response.newBuilder().setGroupKeepAlive(b).build().toByteArray());
    }

    @Override
    public long epoch() {
        return 1;
    }

    @Override
    public Optional<String> masterAddress() {
        return Optional.of("127.0.0.1:1");
    }

    /** How often the keeper asked the channel to find the master again. */
    final java.util.concurrent.atomic.AtomicInteger relocations = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void relocate() {
        relocations.incrementAndGet();
    }

    @Override
    public void relocate(int partition) {
        relocated.add(partition);
        relocations.incrementAndGet();
    }

    @Override
    public void close() {
    }
}
