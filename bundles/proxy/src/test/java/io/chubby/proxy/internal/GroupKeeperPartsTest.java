package io.chubby.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.client.MasterChannel;
import io.chubby.protocol.GroupKeepAliveReply;
import io.chubby.protocol.GroupKeepAliveRequest;
import io.chubby.protocol.GroupMember;
import io.chubby.protocol.GroupMemberReply;
import io.chubby.protocol.KeepAliveReply;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.proxy.internal.core.LeaseMath;
import io.chubby.proxy.internal.core.SessionTable;
import io.chubby.spi.ClientConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A proxy with more clients than one group call can carry in a frame splits its group over several
 * calls (group ids of their own), each held and answered on its own.
 */
class GroupKeeperPartsTest {
    private static final long LEASE = 12_000;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Capturing channel = new Capturing();
    private final SessionTable<ClientConnection> table = new SessionTable<>(LeaseMath.withMargin(2_000));
    private final GroupKeeper keeper = new GroupKeeper(channel, table, Clock.systemUTC(), timer, answers -> { },
            Duration.ofSeconds(10), Duration.ofMillis(LEASE), 101, new Principals(false));

    @AfterEach
    void stop() {
        keeper.close();
        timer.shutdownNow();
    }

    /** Group calls as the master would see them, answered when the test says. */
    static final class Capturing implements MasterChannel {
        final List<GroupKeepAliveRequest> calls = new ArrayList<>();
        final List<CompletableFuture<byte[]>> answers = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<byte[]> call(byte[] request, Retry retry, Duration timeout) {
            try {
                calls.add(Request.parseFrom(request).getGroupKeepAlive());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            answers.add(f);
            notifyAll();
            return f;
        }

        @Override
        public CompletableFuture<byte[]> call(byte[] request, Retry retry) {
            return call(request, retry, Duration.ofSeconds(10));
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
            GroupKeepAliveReply.Builder b = GroupKeepAliveReply.newBuilder().setEpoch(1);
            GroupKeepAliveRequest req;
            CompletableFuture<byte[]> f;
            synchronized (this) {
                req = calls.get(i);
                f = answers.get(i);
            }
            for (GroupMember m : req.getMembersList()) {
                b.addMembers(GroupMemberReply.newBuilder().setSessionId(m.getSessionId())
                        .setReply(KeepAliveReply.newBuilder().setLeaseMs(LEASE)));
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

        @Override
        public void relocate() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aGroupTooLargeForOneCallIsSplitAndEachPartIsHeldOnItsOwn() throws Exception {
        int sessions = 2 * GroupKeeper.MAX_MEMBERS_PER_CALL + 500;
        long now = System.currentTimeMillis();
        for (long id = 1; id <= sessions; id++) {
            table.created(id, null, LEASE, now, now, now);
        }
        keeper.poke();
        channel.awaitCalls(3);
        assertEquals(3, keeper.parts());
        Set<Long> named = new HashSet<>();
        Set<Long> groupIds = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            GroupKeepAliveRequest call = channel.calls.get(i);
            assertTrue(call.getMembersCount() <= GroupKeeper.MAX_MEMBERS_PER_CALL, "part " + i + ": " + call.getMembersCount());
            assertTrue(call.getSerializedSize() < 1024 * 1024, "fits a frame");
            assertTrue(call.getGroupId() != 0);
            groupIds.add(call.getGroupId());
            for (GroupMember m : call.getMembersList()) {
                assertEquals(GroupKeeper.partOf(m.getSessionId(), 3), (int) (call.getGroupId() - 101) / 2);
                named.add(m.getSessionId());
            }
        }
        assertEquals(3, groupIds.size(), "a group id per part");
        assertEquals(sessions, named.size(), "every session named once");

        // The master answers one part: only that part is held again at once, naming its members only.
        channel.answer(1);
        channel.awaitCalls(4);
        GroupKeepAliveRequest again = channel.calls.get(3);
        assertEquals(channel.calls.get(1).getGroupId(), again.getGroupId());
        assertEquals(channel.calls.get(1).getMembersCount(), again.getMembersCount());
        Thread.sleep(200);
        assertEquals(4, channel.calls.size(), "the other parts stay held");
    }

    @Test
    void partsAreOnlyAddedAndSmallGroupsStayInOneCall() {
        List<GroupMember> few = new ArrayList<>();
        for (long id = 1; id <= 100; id++) {
            few.add(GroupMember.newBuilder().setSessionId(id).build());
        }
        assertEquals(1, keeper.partsFor(few));
        List<GroupMember> longNames = new ArrayList<>();
        for (long id = 1; id <= 2_100; id++) {
            // principals up to 256 characters: the bytes (about 550 KB here), not the count, decide
            longNames.add(GroupMember.newBuilder().setSessionId(id).setOnBehalfOf("u".repeat(250)).build());
        }
        assertEquals(3, keeper.partsFor(longNames));
    }
}
