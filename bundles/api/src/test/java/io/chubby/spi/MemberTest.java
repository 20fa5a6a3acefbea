package io.chubby.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class MemberTest {
    @Test
    void parsesMemberList() {
        List<Member> ms = Member.parseList("1@127.0.0.1:7001:7101, 2@127.0.0.1:7002:7102");
        assertEquals(2, ms.size());
        assertEquals("127.0.0.1:7002", ms.get(1).clientAddress());
        assertEquals("127.0.0.1:7101", ms.get(0).peerAddress());
        assertEquals("1@127.0.0.1:7001:7101", ms.get(0).toString());
    }

    @Test
    void rejectsBadLists() {
        for (String bad : new String[] {"", "x", "1@h:1", "1@h:a:2", "0@h:1:2", "1@h:1:2,1@h:3:4", "1@h:70000:2"}) {
            assertThrows(IllegalArgumentException.class, () -> Member.parseList(bad), bad);
        }
    }

    @Test
    void logBatchCollectsWrites() {
        LogBatch b = new LogBatch().putMeta("k", new byte[] {1}).putEntry(5, new byte[] {2}).deleteFrom(7).sync(true);
        assertEquals(1, b.meta().size());
        assertEquals(5, b.entries().get(0).index());
        assertEquals(7, b.deleteFromIndex());
        assertEquals(true, b.sync());
    }
}
