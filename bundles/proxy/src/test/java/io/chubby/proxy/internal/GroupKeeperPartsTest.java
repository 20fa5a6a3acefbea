package io.chubby.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.protocol.GroupKeepAliveRequest;
import io.chubby.protocol.GroupMember;
import io.chubby.proxy.internal.core.LeaseMath;
import io.chubby.proxy.internal.core.SessionTable;
import io.chubby.spi.ClientConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A proxy with more clients than one group call can carry in a frame splits its group over several
 * calls (group ids of their own), each held and answered on its own.
 */
class GroupKeeperPartsTest {
    private static final long LEASE = 12_000;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final CapturingMasterChannel channel = new CapturingMasterChannel(LEASE);
    private final SessionTable<ClientConnection> table = new SessionTable<>(LeaseMath.withMargin(2_000));
    private final GroupKeeper keeper = new GroupKeeper(channel, table, Clock.systemUTC(), timer, answers -> { },
            Duration.ofSeconds(10), Duration.ofMillis(LEASE), 101, new Principals(false));

    @AfterEach
    void stop() {
        keeper.close();
        timer.shutdownNow();
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
