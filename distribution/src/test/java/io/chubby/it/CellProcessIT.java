package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.chubby.api.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A one-replica cell as real processes, started and used through the assembled distribution's
 * bin/chubby: the CLI round trip with outputs and exit codes, bad input that must fail cleanly and
 * change nothing (raw garbage on the client port, a bad path, oversized contents), cell status and
 * cell down. One cell for the whole class (a replica start costs seconds); methods run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CellProcessIT {
    private static final int MAX_CONTENTS = 256 * 1024;
    private LocalCell cell;

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void startCell() {
        cell = new LocalCell(1);
        // tuning through the component PIDs: etc/io.chubby.store.cfg, etc/io.chubby.paxos.cfg
        LocalCell.Run up = cell.up("--set", "store.cache.mb=32", "--set", "paxos.lease.ms=1500");
        assertEquals(0, up.exit(), () -> up + cell.logs());
        List<String> lines = up.out().lines().filter(l -> !l.isBlank()).toList();
        assertEquals("export CHUBBY_CELL=" + cell.cellSpec(), lines.get(lines.size() - 1), up::toString);
    }

    @AfterAll
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
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
    @Order(1)
    void cliRoundTrip() {
        ok("mkdir", "/ls/local/rt");
        ok("put", "/ls/local/rt/greeting", "hello chubby");
        assertEquals("hello chubby", ok("cat", "/ls/local/rt/greeting").out().strip());
        assertTrue(ok("ls", "/ls/local/rt").out().lines().anyMatch(l -> l.strip().endsWith("greeting")),
                "ls lists the new file");

        String stat = ok("stat", "/ls/local/rt/greeting").out();
        assertTrue(stat.contains("size: " + "hello chubby".length()), stat);
        assertTrue(stat.contains("type: file"), stat);

        // put from stdin replaces the contents
        assertEquals(0, cell.chubby("second".getBytes(StandardCharsets.UTF_8), "put", "/ls/local/rt/greeting", "-").exit());
        assertEquals("second", ok("cat", "/ls/local/rt/greeting").out().strip());

        ok("rm", "/ls/local/rt/greeting");
        failsWith(ErrorCode.NO_SUCH_NODE, "cat", "/ls/local/rt/greeting");
        assertFalse(ok("ls", "/ls/local/rt").out().contains("greeting"));
        ok("rm", "/ls/local/rt");
        failsWith(ErrorCode.NO_SUCH_NODE, "ls", "/ls/local/rt");
    }

    @Test
    @Order(2)
    void statusShowsTheReplicaAsMaster() {
        LocalCell.Run r = ok("cell", "status", "--dir", cell.dir().toString());
        List<Map<String, String>> lines = cell.statusLines();
        assertEquals(1, lines.size(), r::toString);
        Map<String, String> s = lines.get(0);
        assertEquals(cell.clientAddress(1), s.get("address"), r::toString);
        assertEquals("master", s.get("role"), r::toString);
        assertEquals(Long.toString(cell.pid(1).orElseThrow()), s.get("pid"), r::toString);
        assertTrue(Long.parseLong(s.get("epoch")) > 0, r::toString);
        assertTrue(ok("master").out().contains(cell.clientAddress(1)), "chubby master names the replica");
    }

    @Test
    @Order(2)
    void componentsReadTheirOwnPidsAndTheIdentityFileHasNoStrayKeys() throws IOException {
        Path etc = cell.dir().resolve("replica-1/etc");
        assertTrue(Files.readString(etc.resolve("io.chubby.store.cfg")).contains("store.cache.mb=32\n"));
        String log = Files.readString(cell.dir().resolve("replica-1/log/replica.log"));
        assertTrue(log.contains("replica identity published cell=local replica=1"), log);
        assertTrue(log.contains("cacheMb=32"), "the store opened with its own PID's cache size: " + log);
        assertFalse(log.contains("configuration key in the wrong PID"), log);
        assertFalse(log.contains("client acceptor idle"), log);
    }

    @Test
    @Order(3)
    void adminRunsGogoInsideTheReplica() {
        String lb = ok("admin", "lb").out();
        assertTrue(lb.contains("Apache Felix File Install") && lb.contains("Active"), lb);
        assertTrue(lb.lines().filter(l -> l.contains("Chubby")).allMatch(l -> l.contains("Active")), lb);
    }

    @Test
    @Order(4)
    void badPathIsInvalidArgumentOnOneLine() {
        failsWith(ErrorCode.INVALID_ARGUMENT, "cat", "not/absolute");
        failsWith(ErrorCode.INVALID_ARGUMENT, "put", "/ls/local/a//b", "x");
        failsWith(ErrorCode.INVALID_ARGUMENT, "mkdir", "/ls/local/bad*char");
        failsWith(ErrorCode.INVALID_ARGUMENT, "mkdir", "/ls/local/a/../b");
        failsWith(ErrorCode.NO_SUCH_NODE, "stat", "/ls/local/a");
    }

    @Test
    @Order(5)
    void oversizedContentsAreTooLargeAndChangeNothing() {
        ok("put", "/ls/local/big", "small");
        String before = ok("stat", "/ls/local/big").out();

        byte[] huge = new byte[MAX_CONTENTS + 1];
        Arrays.fill(huge, (byte) 'x');
        LocalCell.Run r = cell.chubby(huge, "put", "/ls/local/big", "-");
        assertEquals(ErrorCode.TOO_LARGE.exitCode(), r.exit(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);

        assertEquals("small", ok("cat", "/ls/local/big").out().strip());
        assertEquals(before, ok("stat", "/ls/local/big").out(), "metadata unchanged (no new generation)");

        LocalCell.Run create = cell.chubby(huge, "put", "/ls/local/huge-new", "-");
        assertEquals(ErrorCode.TOO_LARGE.exitCode(), create.exit(), create::toString);
        failsWith(ErrorCode.NO_SUCH_NODE, "stat", "/ls/local/huge-new");

        // exactly at the limit is accepted
        byte[] max = Arrays.copyOf(huge, MAX_CONTENTS);
        assertEquals(0, cell.chubby(max, "put", "/ls/local/big", "-").exit());
        assertTrue(ok("stat", "/ls/local/big").out().contains("size: " + MAX_CONTENTS));
        ok("rm", "/ls/local/big");
    }

    @Test
    @Order(6)
    void garbageOnTheClientPortClosesThatConnectionOnly() throws IOException {
        int port = cell.basePort() + 1;

        assertClosedAfter(port, "an HTTP request", "GET / HTTP/1.1\r\nHost: chubby\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertClosedAfter(port, "an oversized length", ByteBuffer.allocate(10).putInt(Integer.MAX_VALUE).putShort((short) 1).array());
        assertClosedAfter(port, "a negative length", ByteBuffer.allocate(8).putInt(-1).putShort((short) 1).array());
        assertClosedAfter(port, "a wrong protocol version",
                ByteBuffer.allocate(9).putInt(5).putShort((short) 99).put(new byte[] {1, 2, 3}).array());
        byte[] junk = new byte[16];
        Arrays.fill(junk, (byte) 0xff);
        assertClosedAfter(port, "a frame that is not protobuf",
                ByteBuffer.allocate(6 + junk.length).putInt(2 + junk.length).putShort((short) 1).put(junk).array());

        assertTrue(cell.pid(1).flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false), "replica alive");
        assertTrue(ok("master").out().contains(cell.clientAddress(1)), "the replica still answers");
        ok("put", "/ls/local/survivor", "still here");
        assertEquals("still here", ok("cat", "/ls/local/survivor").out().strip(), "the CLI still works");
        ok("rm", "/ls/local/survivor");
    }

    @Test
    @Order(100)
    void cellDownStopsTheReplica() {
        long pid = cell.pid(1).orElseThrow();
        ok("cell", "down", "--dir", cell.dir().toString());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "replica process gone");
        LocalCell.Run status = cell.status();
        assertTrue(status.exit() != 0 || status.out().contains("role=down"), status::toString);
        String log = cell.logs();
        assertTrue(log.contains("store closed"), "the replica shut down cleanly (store closed):" + log);
    }

    // ---- helpers ----

    private LocalCell.Run ok(String... args) {
        LocalCell.Run r = cell.chubby(null, args);
        assertEquals(0, r.exit(), () -> r + cell.logs());
        return r;
    }

    private void failsWith(ErrorCode code, String... args) {
        LocalCell.Run r = cell.chubby(null, args);
        assertEquals(code.exitCode(), r.exit(), () -> "expected " + code + ": " + r);
        assertEquals(1, r.errLines().size(), () -> "exactly one stderr line: " + r);
        assertEquals("", r.out(), () -> "nothing on stdout: " + r);
    }

    /** Sends {@code bytes} on a fresh connection and expects the replica to close it within 10 s. */
    private static void assertClosedAfter(int port, String what, byte[] bytes) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(bytes);
                out.flush();
            } catch (SocketException e) {
                return; // already closed by the replica
            }
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            try {
                while (in.read(buf) >= 0) {
                    // an error reply before the close is fine; keep reading until EOF
                }
            } catch (SocketTimeoutException e) {
                fail("the replica kept the connection open after " + what);
            } catch (SocketException e) {
                // reset: closed
            }
        }
    }
}
