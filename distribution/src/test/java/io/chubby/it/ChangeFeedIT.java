package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.CreateMode;
import io.chubby.api.OpenOptions;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.it.plugin.FeedRecorder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The change feed on real replica processes: a listener bundle (packaged by the test from
 * {@link FeedRecorder}, dropped into each replica's etc/ before start, so it meets the replica only
 * through {@code io.chubby.spi}) records every change; after 10,000 writes, a non-master replica's
 * record holds every change of the run, in log order, with no gap, line for line equal to the
 * master's (same index, epoch, generations, content checksum and state checksum).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ChangeFeedIT {
    private static final int FILES = 100;
    private static final int WRITES = 10_000;
    private static final int IN_FLIGHT = 500;
    private static final String DIR = "/ls/local/feed";
    private LocalCell cell;

    @AfterEach
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stopCell() {
        if (cell == null) {
            return;
        }
        try {
            cell.down();
        } finally {
            cell.destroy();
        }
    }

    @Test
    void aFollowersFeedHoldsEveryChangeOfTheRunInOrderWithTheMastersChecksums() throws Exception {
        cell = new LocalCell(3);
        for (int i = 1; i <= 3; i++) {
            Path etc = Files.createDirectories(cell.dir().resolve("replica-" + i).resolve("etc"));
            PluginJar.write(etc.resolve("feed-recorder.jar"), "io.chubby.it.feed", FeedRecorder.class,
                    "io.chubby.spi;version=\"[1.2,2)\",org.osgi.framework");
        }
        LocalCell.Run up = cell.up();
        assertEquals(0, up.exit(), () -> up + cell.logs());
        Map<String, String> master = cell.await("a master", () -> cell.master().orElse(null), 60_000);

        try (ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().cell(cell.cellSpec())
                .callTimeout(Duration.ofSeconds(30)).build())) {
            c.mkdir(DIR);
            List<Handle> files = new ArrayList<>();
            for (int f = 0; f < FILES; f++) {
                files.add(c.open(DIR + "/f" + f, OpenOptions.write().withCreate(CreateMode.MUST)));
            }
            Semaphore window = new Semaphore(IN_FLIGHT);
            List<CompletableFuture<?>> all = new ArrayList<>(WRITES);
            for (int w = 0; w < WRITES; w++) {
                window.acquire();
                all.add(files.get(w % FILES).setContentsAsync(("write " + w).getBytes(StandardCharsets.UTF_8))
                        .whenComplete((s, e) -> window.release()));
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
        }

        int expected = 1 + FILES + WRITES;
        String masterId = master.get("address").substring(master.get("address").lastIndexOf(':') + 1);
        int masterReplica = Integer.parseInt(masterId) - cell.basePort();
        int follower = masterReplica == 1 ? 2 : 1;
        List<String> atMaster = cell.await("the master's feed to hold the run", () -> run(masterReplica, expected),
                60_000);
        List<String> atFollower = cell.await("replica " + follower + "'s feed to hold the run",
                () -> run(follower, expected), 60_000);
        assertEquals(expected, atFollower.size());
        assertTrue(atFollower.get(0).contains(" " + DIR.substring("/ls/local".length()) + " CREATED "),
                atFollower.get(0));
        long previous = 0;
        for (String line : atFollower) {
            long index = Long.parseLong(line.substring(0, line.indexOf(' ')));
            assertTrue(index > previous, () -> "log order broken at " + line);
            previous = index;
        }
        assertEquals(atMaster, atFollower, "the follower's changes are the master's, line for line");
    }

    /**
     * The changes of the run in replica {@code id}'s record (from the directory's creation on), once
     * there are {@code expected} of them; null before. Fails on a gap.
     */
    private List<String> run(int id, int expected) {
        Path file = cell.dir().resolve("replica-" + id).resolve("log").resolve("feed.txt");
        List<String> lines;
        try {
            String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            if (!text.endsWith("\n")) {
                return null; // empty, or a batch is being written
            }
            lines = text.lines().toList();
        } catch (IOException e) {
            return null;
        }
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.startsWith("GAP ")) {
                throw new AssertionError("replica " + id + " was told of a gap: " + l);
            }
            if (start < 0 && l.contains(" /feed CREATED ")) {
                start = i;
            }
        }
        if (start < 0 || lines.size() - start < expected) {
            return null;
        }
        return List.copyOf(lines.subList(start, start + expected));
    }
}
