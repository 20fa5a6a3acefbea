package io.chubby.cli.internal.cell;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PidFileTest {
    @TempDir
    Path tmp;

    @Test
    void missingOrGarbageFileMeansNotRunning() throws IOException {
        PidFile f = new PidFile(tmp.resolve("pid"));
        assertTrue(f.alive().isEmpty());
        Files.writeString(f.path(), "not a pid\n");
        assertTrue(f.pid().isEmpty());
        assertTrue(f.alive().isEmpty());
        Files.writeString(f.path(), "-5");
        assertTrue(f.pid().isEmpty());
    }

    @Test
    void liveProcessIsRunning() {
        PidFile f = new PidFile(tmp.resolve("pid"));
        long me = ProcessHandle.current().pid();
        f.write(me);
        assertEquals(Optional.of(me), f.pid());
        assertEquals(me, f.alive().orElseThrow().pid());
    }

    @Test
    void deadProcessIsNotRunning() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        PidFile f = new PidFile(tmp.resolve("pid"), ProcessHandle::of);
        f.write(p.pid());
        assertFalse(f.alive().isPresent());
    }

    @Test
    void processStartedAfterTheFileWasWrittenIsAReusedPid() throws IOException {
        PidFile f = new PidFile(tmp.resolve("pid"));
        f.write(ProcessHandle.current().pid());
        // pretend the file is from long before this JVM started: the pid now belongs to someone else
        Files.setLastModifiedTime(f.path(), FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
        assertTrue(f.alive().isEmpty());
    }

    @Test
    void statusTellsNoneGoneZombieAndRunningApart() throws Exception {
        PidFile none = new PidFile(tmp.resolve("none"));
        assertEquals(PidFile.State.NONE, none.status().state());

        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        PidFile gone = new PidFile(tmp.resolve("gone"));
        gone.write(p.pid());
        assertEquals(new PidFile.Status(PidFile.State.GONE, p.pid(), Optional.empty()), gone.status());

        long me = ProcessHandle.current().pid();
        PidFile zombie = new PidFile(tmp.resolve("zombie"), ProcessHandle::of, pid -> pid == me);
        zombie.write(me);
        assertEquals(PidFile.State.ZOMBIE, zombie.status().state());
        assertTrue(zombie.alive().isEmpty(), "a zombie is not running (cell down and status skip it)");

        PidFile running = new PidFile(tmp.resolve("running"), ProcessHandle::of, pid -> false);
        running.write(me);
        assertEquals(PidFile.State.RUNNING, running.status().state());
        assertEquals(me, running.status().process().orElseThrow().pid());
    }

    @Test
    void theProcessStateComesAfterTheLastParenthesisOfProcStat() {
        assertEquals(Optional.of('Z'), ProcessLiveness.parseState("4242 (java) Z 1 4242 4242 0 -1"));
        assertEquals(Optional.of('S'), ProcessLiveness.parseState("7 (a (weird) name) S 1 7"));
        assertEquals(Optional.empty(), ProcessLiveness.parseState("garbage"));
        assertFalse(ProcessLiveness.isZombie(ProcessHandle.current().pid()));
        assertTrue(ProcessLiveness.running(ProcessHandle.current()));
    }

    @Test
    void deleteRemovesAndIsIdempotent() {
        PidFile f = new PidFile(tmp.resolve("pid"));
        f.write(1);
        f.delete();
        f.delete();
        assertFalse(Files.exists(f.path()));
    }
}
