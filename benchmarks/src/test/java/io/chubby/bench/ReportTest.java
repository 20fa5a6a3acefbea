package io.chubby.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    @Test
    void cpuPerOperationHasAColumnAndARatio(@TempDir Path dir) throws Exception {
        List<Result> rows = List.of(
                new Result("1. sequential 100-byte writes", "chubby", 500, 2.0, 3, 4, 300, "", 0.8),
                new Result("1. sequential 100-byte writes", "zookeeper", 400, 1.0, 3, 4, 300, "", 0.4),
                new Result("7. failover: kill -9 master, time to next write", "chubby", Double.NaN, 900, 900, 900, 3, "x"));
        String table = Report.table("header", rows);
        assertTrue(table.contains("| n | CPU ms/op (members) | ratio ours/peer | note |"), table);
        assertTrue(table.contains("| 300 | 0.800 |  |  |"), table);
        assertTrue(table.contains("| 300 | 0.400 | throughput 1.25x, p50 2.00x, CPU/op 2.00x |  |"), table);
        assertTrue(table.contains("| 3 | - |  | x |"), table);

        Path f = dir.resolve("r.md");
        Files.writeString(f, table);
        List<Result> back = Report.parse(List.of(f.toString()));
        assertEquals(3, back.size());
        assertEquals(0.4, back.get(1).cpuMsPerOp(), 1e-9);
        assertTrue(Double.isNaN(back.get(2).cpuMsPerOp()));
        assertEquals("x", back.get(2).note());
    }

    @Test
    void readsTablesWrittenBeforeTheCpuColumn(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("old.md");
        Files.writeString(f, "header\n\n| workload | system | ops/s | p50 ms | p99 ms | max ms | n | ratio ours/peer | note |\n"
                + "|---|---|---:|---:|---:|---:|---:|---|---|\n"
                + "| 1. sequential 100-byte writes | etcd | 397 | 2.000 | 3.000 | 9.000 | 300 | throughput 0.57x | a note |\n");
        Result r = Report.parse(List.of(f.toString())).get(0);
        assertEquals("etcd", r.system());
        assertEquals(397, r.opsPerSec(), 1e-9);
        assertEquals("a note", r.note());
        assertTrue(Double.isNaN(r.cpuMsPerOp()));
    }
}
