package io.chubby.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.spi.LogBatch;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures (does not judge) what a synced log write costs on this disk: one fsync per batch,
 * whatever its size, is the point of group commit. Output: target/surefire-reports/*-output.txt.
 */
class FsyncCostTest {
    private static final int ROUNDS = 50;

    @TempDir
    Path dir;

    @Test
    void printMedianSyncBatchLatency() {
        try (BdbStore s = BdbStore.open(dir)) {
            long next = 1;
            double[] medians = new double[4];
            int[] sizes = {1, 100, 1, 100};
            boolean[] sync = {true, true, false, false};
            s.write(new LogBatch().putEntry(next++, new byte[100]).sync(true)); // warm up files
            for (int c = 0; c < sizes.length; c++) {
                long[] nanos = new long[ROUNDS];
                for (int r = 0; r < ROUNDS; r++) {
                    LogBatch batch = new LogBatch().sync(sync[c]);
                    for (int i = 0; i < sizes[c]; i++) {
                        batch.putEntry(next++, new byte[100]);
                    }
                    long t0 = System.nanoTime();
                    s.write(batch);
                    nanos[r] = System.nanoTime() - t0;
                }
                Arrays.sort(nanos);
                medians[c] = nanos[ROUNDS / 2] / 1e6;
            }
            System.out.printf("fsync-cost rounds=%d entryBytes=100 sync1_median_ms=%.3f sync100_median_ms=%.3f"
                    + " nosync1_median_ms=%.3f nosync100_median_ms=%.3f fsyncs=%d%n",
                    ROUNDS, medians[0], medians[1], medians[2], medians[3], s.fsyncCount());
            assertEquals(next - 1, s.lastIndex());
        }
    }
}
