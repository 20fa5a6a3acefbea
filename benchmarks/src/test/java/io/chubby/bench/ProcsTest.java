package io.chubby.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Killing a process that is not the harness's child: a zombie counts as gone. */
class ProcsTest {
    @Test
    void aKilledProcessThatIsNotOurChildIsGoneWhileItsParentHasNotReapedIt() throws Exception {
        // sh execs into a sleep that never reaps its background child: once killed, that child stays a zombie
        Process parent = new ProcessBuilder("sh", "-c", "sleep 30 & echo $!; exec sleep 31").start();
        try {
            long child;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                child = Long.parseLong(out.readLine().trim());
            }
            assertTrue(Procs.running(child));
            Procs.kill9(child);
            assertFalse(Procs.running(child));
            assertTrue(Files.exists(Path.of("/proc/" + child)), "a zombie until its parent ends");
            assertTrue(Procs.running(parent.pid()));
        } finally {
            parent.destroyForcibly();
            parent.waitFor();
        }
    }

    @Test
    void aProcessThatDoesNotExistIsNotRunning() {
        assertFalse(Procs.running(Long.MAX_VALUE));
        assertTrue(Procs.running(ProcessHandle.current().pid()));
        assertTrue(Procs.awaitGone(Long.MAX_VALUE, 1));
    }
}
