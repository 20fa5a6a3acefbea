package io.chubby.store.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BdbLogStoreTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static LogBatch entries(long from, long to) {
        LogBatch batch = new LogBatch();
        for (long i = from; i <= to; i++) {
            batch.putEntry(i, b("e" + i));
        }
        return batch;
    }

    private static List<Long> indexes(LogStore s, long from, long to) {
        List<Long> seen = new ArrayList<>();
        s.scan(from, to, (i, v) -> {
            assertArrayEquals(b("e" + i), v);
            seen.add(i);
            return true;
        });
        return seen;
    }

    @Test
    void emptyLogHasZeroBoundsAndNoValues() {
        try (BdbStore s = BdbStore.open(dir)) {
            assertEquals(dir.resolve("je"), s.directory());
            assertEquals(0, s.firstIndex());
            assertEquals(0, s.lastIndex());
            assertNull(s.entry(1));
            assertNull(s.meta("ballot"));
            assertEquals(List.of(), indexes(s, 0, Long.MAX_VALUE));
        }
    }

    @Test
    void metaAndEntriesSurviveCloseAndReopen() {
        try (BdbStore s = BdbStore.open(dir)) {
            s.write(entries(1, 5).putMeta("ballot", b("7.2")).sync(true));
        }
        try (BdbStore s = BdbStore.open(dir)) {
            assertArrayEquals(b("7.2"), s.meta("ballot"));
            assertEquals(1, s.firstIndex());
            assertEquals(5, s.lastIndex());
            assertArrayEquals(b("e3"), s.entry(3));
        }
    }

    @Test
    void syncBatchIsInTheFilesWhenWriteReturns() {
        try (BdbStore s = BdbStore.open(dir.resolve("live"))) {
            s.write(entries(1, 3).putMeta("ballot", b("1.1")).sync(true));
            // Copy the files while the environment is still open: what a crash right now leaves.
            Path copy = StoreFiles.crashCopy(dir.resolve("live"), dir.resolve("crashed"));
            try (BdbStore recovered = BdbStore.open(copy)) {
                assertEquals(3, recovered.lastIndex());
                assertArrayEquals(b("e2"), recovered.entry(2));
                assertArrayEquals(b("1.1"), recovered.meta("ballot"));
            }
        }
    }

    @Test
    void syncBatchCostsOneFsyncWhateverItsSizeAndNoSyncBatchNone() {
        try (BdbStore s = BdbStore.open(dir)) {
            long before = s.fsyncCount();
            s.write(entries(1, 100).putMeta("ballot", b("3")).sync(true));
            assertEquals(before + 1, s.fsyncCount());
            s.write(entries(101, 200).sync(false));
            assertEquals(before + 1, s.fsyncCount());
            s.write(new LogBatch().sync(true)); // empty but synced: flushes what came before
            assertEquals(before + 2, s.fsyncCount());
        }
    }

    @Test
    void noSyncBatchIsReadableAtOnceAndDurableAfterClose() {
        try (BdbStore s = BdbStore.open(dir)) {
            s.write(entries(1, 2).sync(false));
            assertArrayEquals(b("e2"), s.entry(2));
            assertEquals(2, s.lastIndex());
        }
        try (BdbStore s = BdbStore.open(dir)) {
            assertEquals(List.of(1L, 2L), indexes(s, 1, 10));
        }
    }

    @Test
    void deleteFromDropsTheSuffixBeforeThePutsOfTheSameBatch() {
        try (BdbStore s = BdbStore.open(dir)) {
            s.write(entries(1, 10).sync(true));
            s.write(new LogBatch().deleteFrom(6).putEntry(6, b("new6")).putMeta("ballot", b("9")).sync(true));
            assertEquals(6, s.lastIndex());
            assertArrayEquals(b("new6"), s.entry(6));
            assertNull(s.entry(7));
            assertNull(s.entry(10));
            assertArrayEquals(b("e5"), s.entry(5));

            s.write(new LogBatch().deleteFrom(4).sync(true)); // delete only, no puts
            assertEquals(1, s.firstIndex());
            assertEquals(3, s.lastIndex());

            s.write(new LogBatch().deleteFrom(1).sync(true)); // the whole log
            assertEquals(0, s.firstIndex());
            assertEquals(0, s.lastIndex());

            s.write(new LogBatch().deleteFrom(50).putEntry(2, b("e2")).sync(true)); // nothing to delete
            assertEquals(2, s.firstIndex());
            assertEquals(2, s.lastIndex());
        }
        try (BdbStore s = BdbStore.open(dir)) {
            assertEquals(2, s.firstIndex());
            assertEquals(2, s.lastIndex());
            assertArrayEquals(b("9"), s.meta("ballot"));
        }
    }

    @Test
    void boundsFollowPutsWithGapsAndOverwrites() {
        try (BdbStore s = BdbStore.open(dir)) {
            s.write(new LogBatch().putEntry(5, b("e5")).putEntry(9, b("e9")).sync(false));
            assertEquals(5, s.firstIndex());
            assertEquals(9, s.lastIndex());
            s.write(new LogBatch().putEntry(3, b("e3")).putEntry(9, b("e9")).sync(false));
            assertEquals(3, s.firstIndex());
            assertEquals(9, s.lastIndex());
            assertEquals(List.of(3L, 5L, 9L), indexes(s, 0, 100));
        }
    }

    @Test
    void truncateBeforeRemovesThePrefixInChunks() {
        try (BdbStore s = BdbStore.open(dir, new StoreSettings(16, 16, 7))) {
            s.write(entries(1, 100).sync(true));
            s.truncateBefore(51);
            assertEquals(51, s.firstIndex());
            assertEquals(100, s.lastIndex());
            assertNull(s.entry(50));
            assertArrayEquals(b("e51"), s.entry(51));
            s.truncateBefore(10); // below first: nothing to do
            assertEquals(51, s.firstIndex());
        }
        try (BdbStore s = BdbStore.open(dir)) {
            assertEquals(51, s.firstIndex());
            assertEquals(50, indexes(s, 0, 1000).size());
            s.truncateBefore(101); // everything
            assertEquals(0, s.firstIndex());
            assertEquals(0, s.lastIndex());
        }
    }

    /**
     * A truncation chunk commits as soon as an append waits for the lock: the replica loop's append
     * (its heartbeats and answers go out after it) waits for one deleted entry, not for a chunk.
     * The lock is held here while the truncation and then the append queue for it, so the order is
     * fixed: the truncation goes first (fair lock), sees the append waiting after its first delete.
     */
    @Test
    void aTruncationChunkCommitsEarlyWhenAnAppendWaits() throws Exception {
        try (BdbStore s = BdbStore.open(dir, new StoreSettings(16, 16, 1_000_000))) {
            s.write(entries(1, 2_000).sync(false));
            BdbLogStore log = (BdbLogStore) s.logStores().group(0);
            ReentrantLock lock = log.writeLock();
            Thread truncation = new Thread(() -> s.truncateBefore(1_001));
            Thread append = new Thread(() -> s.write(entries(2_001, 2_001).sync(false)));
            lock.lock();
            try {
                truncation.start();
                awaitQueued(lock, 1);
                append.start();
                awaitQueued(lock, 2);
            } finally {
                lock.unlock();
            }
            truncation.join(10_000);
            append.join(10_000);
            // One entry, then (the append having gone in between) the other 999 in a second transaction.
            assertEquals(2, log.truncateTransactions());
            assertEquals(1_001, s.firstIndex());
            assertEquals(2_001, s.lastIndex());
            assertEquals(1_001, indexes(s, 0, 5_000).size());
        }
    }

    private static void awaitQueued(ReentrantLock lock, int threads) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (lock.getQueueLength() < threads) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("threads never queued for the lock: " + lock.getQueueLength());
            }
            Thread.sleep(1);
        }
    }

    @Test
    void scanVisitsInIndexOrderWithinBoundsAcrossPages() {
        try (BdbStore s = BdbStore.open(dir)) {
            // Written out of order, and more entries than one scan page (128).
            s.write(entries(301, 600).sync(false));
            s.write(entries(1, 300).sync(false));
            List<Long> seen = indexes(s, 100, 450);
            assertEquals(351, seen.size());
            for (int i = 0; i < seen.size(); i++) {
                assertEquals(100 + i, seen.get(i));
            }
            // Indexes above 2^7 and 2^15 check that the big-endian keys sort numerically.
            s.write(entries(32_760, 32_770).sync(false));
            assertEquals(11, indexes(s, 32_000, 40_000).size());
        }
    }

    @Test
    void scanStopsWhenTheVisitorSaysSo() {
        try (BdbStore s = BdbStore.open(dir)) {
            s.write(entries(1, 400).sync(false));
            List<Long> seen = new ArrayList<>();
            s.scan(10, 400, (i, v) -> {
                seen.add(i);
                return seen.size() < 3;
            });
            assertEquals(List.of(10L, 11L, 12L), seen);
        }
    }

    @Test
    void visitorMayWriteToTheStoreWhileScanning() {
        try (BdbStore s = BdbStore.open(dir)) {
            s.write(entries(1, 10).sync(false));
            s.scan(1, 10, (i, v) -> {
                s.write(new LogBatch().putMeta("seen", b(Long.toString(i))).sync(false));
                return true;
            });
            assertArrayEquals(b("10"), s.meta("seen"));
        }
    }

    @Test
    void manyEntryBatchIsOneAtomicWrite() {
        try (BdbStore s = BdbStore.open(dir)) {
            LogBatch batch = new LogBatch().sync(true);
            for (long i = 1; i <= 2000; i++) {
                batch.putEntry(i, new byte[200]);
            }
            s.write(batch);
            assertEquals(1, s.firstIndex());
            assertEquals(2000, s.lastIndex());
        }
        try (BdbStore s = BdbStore.open(dir)) {
            assertEquals(2000, s.lastIndex());
            assertEquals(200, s.entry(1234).length);
        }
    }

    @Test
    void concurrentWritersAndReadersSeeConsistentBounds() throws Exception {
        try (BdbStore s = BdbStore.open(dir)) {
            int writers = 3;
            int batches = 40;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers + 1);
            try {
                List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    long base = 1 + w * 1000L;
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < batches; i++) {
                            s.write(entries(base + i * 5L, base + i * 5L + 4).sync(i % 10 == 0));
                        }
                    }));
                }
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        // Two calls see two moments. Nothing is truncated here, so first only falls
                        // and last only grows: reading last, then first, makes "1 <= first <= last"
                        // hold across the two moments. (The other order failed when the first
                        // batch landed between the calls: first=0 from the empty log, last=5.)
                        long l = s.lastIndex();
                        long f = s.firstIndex();
                        if (l != 0 && (f < 1 || f > l)) {
                            throw new AssertionError("bounds first=" + f + " last=" + l);
                        }
                    }
                }));
                for (java.util.concurrent.Future<?> f : done) {
                    f.get(30, java.util.concurrent.TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(1, s.firstIndex());
            assertEquals(2000 + 200, s.lastIndex());
            assertEquals(writers * batches * 5, indexes(s, 0, Long.MAX_VALUE).size());
        }
    }

    @Test
    void badEntryIsRejectedAndNothingOfTheBatchIsWritten() {
        try (BdbStore s = BdbStore.open(dir)) {
            LogBatch bad = new LogBatch().putEntry(1, b("ok")).putEntry(0, b("index zero"));
            ChubbyException e = assertThrows(ChubbyException.class, () -> s.write(bad));
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
            assertNull(s.entry(1));
            assertEquals(0, s.lastIndex());
        }
    }
}
