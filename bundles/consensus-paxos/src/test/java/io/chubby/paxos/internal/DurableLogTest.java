package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.paxos.core.Ballot;
import io.chubby.paxos.core.Entry;
import io.chubby.paxos.core.Ready;
import io.chubby.testkit.MemoryLogStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class DurableLogTest {
    private static final Ballot B1 = new Ballot(1, 2);
    private static final Ballot B2 = new Ballot(2, 1);

    private static Ready ready(Ballot promised, boolean sync, Entry... entries) {
        return new Ready(promised, List.of(entries), sync, List.of(), List.of(), List.of(), null);
    }

    private static Entry entry(long i, Ballot b, String v) {
        return new Entry(i, b, b.epoch(), v.getBytes());
    }

    @Test
    void persistsPromiseAndEntriesInOneSyncedBatchAndRecoversThem() {
        MemoryLogStore store = new MemoryLogStore();
        DurableLog log = new DurableLog(store);
        assertEquals(Ballot.ZERO, log.promised());
        log.persist(ready(B1, true, entry(1, B1, "a"), entry(2, B1, "b"), entry(3, B1, "c")));
        assertEquals(1, store.syncedWrites(), "one fsync for the whole batch");
        log.persist(ready(B2, true, entry(3, B2, "c2"))); // a later ballot overwrites slot 3
        DurableLog reopened = new DurableLog(store); // restart: everything from the store
        assertEquals(B2, reopened.promised());
        assertEquals(1, reopened.firstIndex());
        assertEquals(3, reopened.lastIndex());
        assertEquals(entry(2, B1, "b"), reopened.entry(2));
        assertEquals(entry(3, B2, "c2"), reopened.entry(3));
        assertNull(reopened.entry(4));
    }

    @Test
    void truncationDropsPrefixAndEmptyReadyWritesNothing() {
        MemoryLogStore store = new MemoryLogStore();
        DurableLog log = new DurableLog(store);
        for (int i = 1; i <= 10; i++) {
            log.persist(ready(null, false, entry(i, B1, "v" + i)));
        }
        assertEquals(0, store.syncedWrites());
        log.truncateBefore(7);
        assertEquals(7, log.firstIndex());
        assertNull(log.entry(6));
        assertEquals(entry(7, B1, "v7"), log.entry(7));
        log.truncateBefore(11); // everything (after a snapshot install at 10)
        assertEquals(0, log.firstIndex());
        assertEquals(0, log.lastIndex());
        int writes = store.entriesWritten();
        log.persist(ready(null, true));
        assertEquals(writes, store.entriesWritten());
        log.persist(ready(null, false, entry(11, B1, "v11")));
        assertEquals(11, log.firstIndex());
        assertEquals(11, log.lastIndex());
        assertTrue(new String(log.entry(11).value()).equals("v11"));
        assertFalse(log.promised().greaterThan(Ballot.ZERO));
    }

    @Test
    void compactionHidesThePrefixAtOnceAndDeletesItInTheBackground() {
        MemoryLogStore store = new MemoryLogStore();
        DurableLog log = new DurableLog(store);
        for (int i = 1; i <= 10; i++) {
            log.persist(ready(null, false, entry(i, B1, "v" + i)));
        }
        java.util.List<Runnable> background = new java.util.ArrayList<>();
        log.compactBefore(7, background::add);
        assertEquals(7, log.firstIndex(), "the core sees the shorter log at once");
        assertNull(log.entry(6));
        assertEquals(entry(7, B1, "v7"), log.entry(7));
        assertEquals(1, store.firstIndex(), "the store is not touched on the calling thread");
        assertEquals(1, background.size());
        background.get(0).run();
        assertEquals(7, store.firstIndex());
        assertEquals(10, store.lastIndex());

        log.compactBefore(5, background::add); // behind the current start: nothing to do
        log.compactBefore(11, background::add); // the whole log: never by compaction
        assertEquals(1, background.size());
        assertEquals(7, log.firstIndex());
        assertEquals(10, log.lastIndex());
    }
}
