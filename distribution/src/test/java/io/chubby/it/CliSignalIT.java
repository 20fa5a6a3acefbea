package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.chubby.api.OpenOptions;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Handle;
import io.chubby.client.LockInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code chubby watch}, {@code lock} and {@code elect} as real processes against a real one-replica
 * cell, stopped by several signals in a row (what {@code timeout} does: SIGTERM to the command,
 * then to its process group): when the process has exited, its session is gone from the master
 * ({@code cell status} sessions) and its lock is free, at once, not when the 12 s lease runs out;
 * a COMMAND it ran was killed. The stop logic itself is unit-tested in bundles/cli (StopTest).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CliSignalIT {
    private static final long READY_MS = 60_000;
    private LocalCell cell;
    private ChubbyClient observer;

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void startCell() {
        cell = new LocalCell(1);
        LocalCell.Run up = cell.up("--no-dns");
        assertEquals(0, up.exit(), () -> up + cell.logs());
        assertEquals(0, cell.chubby(null, "mkdir", "/ls/local/d").exit());
        observer = ChubbyClient.connect(ClientOptions.builder().cell(cell.cellSpec()).clientName("observer")
                .callTimeout(Duration.ofSeconds(20)).build());
    }

    @AfterAll
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void stopCell() {
        if (observer != null) {
            observer.close();
        }
        if (cell != null) {
            cell.stop();
        }
    }

    @Test
    void watchStoppedByTwoSigtermsClosesItsSession() throws Exception {
        long before = sessions();
        Cli watch = Cli.start(cell, List.of(), "watch", "/ls/local/d");
        await("the watch to start", () -> watch.output().contains("watching /ls/local/d"), watch);
        assertEquals(before + 1, sessions());
        watch.signal("TERM", "TERM");
        assertEquals(143, watch.exit(), watch::output);
        assertEquals(before, sessions(), "the session ended with the process: " + watch.output());
        assertFalse(watch.output().contains("chubby:"), "no error line for a stop: " + watch.output());
    }

    /**
     * The real thing: timeout(1) running out (SIGALRM to it, as its own timer does), which sends
     * SIGTERM to chubby and then to its whole process group (chubby again, and the COMMAND).
     */
    @Test
    void lockStoppedThroughTimeoutKillsItsCommandAndFreesTheLock() throws Exception {
        String path = "/ls/local/timeout-lock";
        long before = sessions();
        Path childPid = cell.dir().resolve("child-" + System.nanoTime() + ".pid");
        Cli lock = Cli.start(cell, List.of("timeout", "600"), "lock", path, "--", "sh", "-c",
                "echo $$ > " + childPid + "; exec sleep 600");
        await("the lock to be held by the command", () -> Files.exists(childPid) && lockInfo(path).held(), lock);
        lock.signal("ALRM");
        assertEquals(124, lock.exit(), lock::output); // timeout's status for "the command timed out"
        assertEquals(before, sessions(), lock.output());
        assertFalse(lockInfo(path).held(), "released with the process, no lock-delay");
        assertFalse(alive(childPid), "the command was killed");
    }

    /** Signals to the CLI alone (its COMMAND gets none): the CLI kills COMMAND, releases, closes. */
    @Test
    void lockStoppedByTwoSigtermsToTheCliAloneKillsItsCommand() throws Exception {
        String path = "/ls/local/direct-lock";
        long before = sessions();
        Path childPid = cell.dir().resolve("child-" + System.nanoTime() + ".pid");
        Cli lock = Cli.start(cell, List.of(), "lock", path, "--", "sh", "-c",
                "echo $$ > " + childPid + "; exec sleep 600");
        await("the lock to be held by the command", () -> Files.exists(childPid) && lockInfo(path).held(), lock);
        lock.signal("TERM", "TERM");
        assertEquals(143, lock.exit(), lock::output);
        assertEquals(before, sessions(), lock.output());
        assertFalse(lockInfo(path).held());
        assertFalse(alive(childPid), "the command was killed");
    }

    @Test
    void electStoppedBySigintsAndSigtermStepsDownAndClosesItsSession() throws Exception {
        String path = "/ls/local/e";
        long before = sessions();
        Cli elect = Cli.start(cell, List.of(), "elect", path, "--id", "me", "--lock-delay", "0");
        await("the candidate to lead", () -> elect.output().contains("leading " + path + " as me"), elect);
        elect.signal("INT", "INT", "TERM");
        int exit = elect.exit();
        assertTrue(exit == 130 || exit == 143, "the exit status of a signal: " + exit + "\n" + elect.output());
        assertEquals(before, sessions(), elect.output());
        assertFalse(lockInfo(path).held());
        assertFalse(elect.output().contains("chubby:"), "a stop is not a lost leadership: " + elect.output());
    }

    /** The master's session count ({@code cell status}, the master's line). */
    private long sessions() {
        List<Map<String, String>> lines = cell.statusLines();
        for (Map<String, String> line : lines) {
            if ("master".equals(line.get("role")) && line.containsKey("sessions")) {
                return Long.parseLong(line.get("sessions"));
            }
        }
        throw new AssertionError("no master line with sessions= in:" + LocalCell.describe(lines));
    }

    private LockInfo lockInfo(String path) {
        try (Handle h = observer.open(path, OpenOptions.read())) {
            return h.lockInfo();
        }
    }

    private static boolean alive(Path pidFile) throws IOException {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private void await(String what, BooleanSupplier ready, Cli cli) throws InterruptedException {
        long end = System.currentTimeMillis() + READY_MS;
        while (!ready.getAsBoolean()) {
            if (!cli.process.isAlive()) {
                fail("the command exited before " + what + ": " + cli.output() + cell.logs());
            }
            if (System.currentTimeMillis() > end) {
                fail("timed out waiting for " + what + ": " + cli.output() + cell.logs());
            }
            Thread.sleep(100);
        }
    }

    /** One bin/chubby process (possibly under a wrapper such as timeout), output in a file. */
    private record Cli(Process process, Path log) {
        static Cli start(LocalCell cell, List<String> wrapper, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(wrapper);
            cmd.add(ExamOptions.dist().resolve("bin").resolve("chubby").toString());
            cmd.addAll(List.of(args));
            Path log = cell.dir().resolve("cli-" + System.nanoTime() + ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cell.dir().toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("CHUBBY_CELL", cell.cellSpec());
            pb.environment().remove("CHUBBY_LOG_LEVEL");
            return new Cli(pb.start(), log);
        }

        /** Sends the signals one right after the other (no wait between them). */
        void signal(String... signals) throws Exception {
            for (String sig : signals) {
                Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid()))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
            }
        }

        int exit() throws InterruptedException {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                fail("still running 60 s after the signals: " + output());
            }
            return process.exitValue();
        }

        String output() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(cannot read " + log + ")";
            }
        }
    }
}
