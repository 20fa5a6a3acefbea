package io.chubby.cli.internal.command;

import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The file commands against an in-memory cell: what they print and what they change. */
class FileCommandsTest {
    private final Harness h = new Harness();

    private Result ok(String... args) {
        Result r = h.run(args);
        assertEquals(0, r.code(), () -> "exit of " + String.join(" ", args) + ", stderr: " + r.err());
        assertEquals("", r.err());
        return r;
    }

    @Test
    void mkdirPutCatLsRoundTrip() {
        ok("mkdir", "/ls/local/demo");
        ok("put", "/ls/local/demo/hello", "hello, chubby");
        assertEquals("hello, chubby", ok("cat", "/ls/local/demo/hello").out());
        ok("mkdir", "/ls/local/demo/sub");
        assertEquals(List.of("hello", "sub/"), ok("ls", "/ls/local/demo").outLines());
        List<String> longLines = ok("ls", "-l", "/ls/local/demo").outLines();
        assertEquals(2, longLines.size());
        assertTrue(longLines.get(0).matches("-- +13 +1 2023-11-14T22:13:21Z hello"), longLines.get(0));
        assertTrue(longLines.get(1).startsWith("d- "), longLines.get(1));
        assertTrue(longLines.get(1).endsWith(" sub/"), longLines.get(1));
    }

    @Test
    void cellIsTakenFromEnvironmentOrOption() {
        ok("ls", "/ls/local");
        assertEquals(List.of("127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"), h.cell.connects.get(0).replicas());
        ok("--cell", "10.0.0.1:9001", "ls", "/ls/local");
        assertEquals(List.of("10.0.0.1:9001"), h.cell.connects.get(1).replicas());
        ok("ls", "--cell", "10.0.0.2:9001", "--timeout", "3", "/ls/local");
        assertEquals(List.of("10.0.0.2:9001"), h.cell.connects.get(2).replicas());
        assertEquals(3, h.cell.connects.get(2).callTimeout().toSeconds());
        assertEquals(0, h.cell.openClients, "every command closes its session");
    }

    @Test
    void statPrintsEveryField() {
        ok("put", "/ls/local/f", "abc");
        List<String> lines = ok("stat", "/ls/local/f").outLines();
        assertEquals(List.of("path: /ls/local/f", "type: file", "ephemeral: false", "instance: 1",
                "content.generation: 1", "lock.generation: 0", "acl.generation: 0", "checksum: 000000000000005d",
                "size: 3", "acl.read: all", "acl.write: all", "acl.change: all",
                "created: 2023-11-14T22:13:20Z", "modified: 2023-11-14T22:13:21Z"), lines);
    }

    @Test
    void catWritesRawBytes() {
        byte[] bin = {0, (byte) 0xff, 10, 13, 'x'};
        h.stdin = bin;
        ok("put", "/ls/local/bin", "-");
        assertArrayEquals(bin, h.cell.node("/ls/local/bin").data, "stdin stored byte for byte");
        assertArrayEquals(bin, ok("cat", "/ls/local/bin").outBytes(), "nothing added, nothing re-encoded");
    }

    @Test
    void putOverwritesAndCasChecksGeneration() {
        ok("put", "/ls/local/f", "one");
        ok("put", "/ls/local/f", "two");
        assertEquals("two", h.cell.contents("/ls/local/f"));
        assertEquals(2, h.cell.node("/ls/local/f").contentGeneration);
        ok("put", "--cas", "2", "/ls/local/f", "three");
        assertEquals("three", h.cell.contents("/ls/local/f"));
        Result r = h.run("put", "--cas", "2", "/ls/local/f", "four");
        assertEquals(18, r.code());
        assertEquals(List.of("chubby: CAS_MISMATCH: /ls/local/f is at content generation 3, not 2"), r.errLines());
        assertEquals("three", h.cell.contents("/ls/local/f"));
    }

    @Test
    void putEphemeralHoldsUntilTheProcessIsStopped() {
        h.stopAfterSleeps = 3;
        Result r = ok("put", "--ephemeral", "/ls/local/lock", "me");
        assertTrue(r.out().startsWith("holding ephemeral /ls/local/lock"), r.out());
        assertEquals(List.of("shutdown"), h.waits);
        assertEquals(3, h.sleeps.size(), "held, checking the session every second, until stopped");
        assertFalse(h.cell.exists("/ls/local/lock"), "the shutdown hook released it");
        assertTrue(h.hooks.isEmpty());
    }

    @Test
    void putEphemeralHoldsForSecondsThenReleases() {
        ok("put", "--ephemeral", "--hold", "5", "/ls/local/lock", "me");
        assertEquals(5, h.sleeps.size());
        assertEquals(5, h.sleeps.stream().mapToLong(java.time.Duration::toSeconds).sum());
        assertFalse(h.cell.exists("/ls/local/lock"));
        assertTrue(h.hooks.isEmpty(), "no shutdown hook left behind");
        assertTrue(h.waits.isEmpty());
    }

    @Test
    void putEphemeralFailsWhenTheSessionExpires() {
        h.cell.expireSessions = true;
        Result r = h.run("put", "--ephemeral", "--hold", "5", "/ls/local/lock", "me");
        assertEquals(17, r.code());
        assertEquals(List.of("chubby: SESSION_EXPIRED: the session expired: /ls/local/lock is no longer held"),
                r.errLines());
        assertEquals(1, h.sleeps.size());
    }

    @Test
    void putEphemeralRefusesAPermanentFile() {
        ok("put", "/ls/local/perm", "x");
        Result r = h.run("put", "--ephemeral", "--hold", "1", "/ls/local/perm", "y");
        assertEquals(11, r.code());
        assertEquals(List.of("chubby: EXISTS: /ls/local/perm exists and is not ephemeral"), r.errLines());
        assertEquals("x", h.cell.contents("/ls/local/perm"));
    }

    @Test
    void mkdirParentsAndRecursiveRm() {
        ok("mkdir", "-p", "/ls/local/a/b/c");
        ok("mkdir", "-p", "/ls/local/a/b");
        assertEquals(11, h.run("mkdir", "/ls/local/a").code(), "EXISTS without -p");
        ok("put", "/ls/local/a/b/f", "x");
        Result notEmpty = h.run("rm", "/ls/local/a");
        assertEquals(13, notEmpty.code());
        assertTrue(notEmpty.err().startsWith("chubby: NOT_EMPTY: "), notEmpty.err());
        ok("rm", "-r", "/ls/local/a");
        assertFalse(h.cell.exists("/ls/local/a"));
        assertFalse(h.cell.exists("/ls/local/a/b/f"));
    }

    @Test
    void aclGetAndPartialSet() {
        ok("put", "/ls/local/f", "x");
        ok("acl", "set", "/ls/local/f", "--write", "admins");
        assertEquals(List.of("read: all", "write: admins", "change: all", "acl.generation: 1"),
                ok("acl", "get", "/ls/local/f").outLines());
        ok("acl", "set", "/ls/local/f", "--read", "r", "--write", "w", "--change", "c");
        assertEquals(List.of("read: r", "write: w", "change: c", "acl.generation: 2"),
                ok("acl", "get", "/ls/local/f").outLines());
    }

    @Test
    void adminJoinsWordsAndTargetsMasterOrGivenReplica() {
        h.cell.answer("127.0.0.1:7001", CellCommandsTest.status(1, "replica", 2));
        h.cell.master = new io.chubby.api.MasterInfo("local", 2, "127.0.0.1:7002", 4, List.of());
        h.cell.adminAnswer = new io.chubby.client.AdminResult(0, "bundles");
        Result r = ok("admin", "lb", "-s");
        assertEquals("bundles\n", r.out());
        ok("admin", "--replica", "127.0.0.1:7003", "chubby:status");
        assertEquals(List.of("127.0.0.1:7002 lb -s", "127.0.0.1:7003 chubby:status"), h.cell.adminCalls);

        h.cell.adminAnswer = new io.chubby.client.AdminResult(3, "boom\n");
        Result failed = h.run("admin", "--replica", "127.0.0.1:7003", "nope");
        assertEquals(1, failed.code());
        assertEquals("boom\n", failed.out());
        assertEquals(List.of("chubby: admin command failed in 127.0.0.1:7003 with status 3"), failed.errLines());
    }

    @Test
    void adminWithoutAMasterUsesTheFirstReplica() {
        ok("admin", "chubby:status");
        assertEquals(List.of("127.0.0.1:7001 chubby:status"), h.cell.adminCalls);
    }

    @Test
    void masterPrintsAddressEpochAndId() {
        h.cell.answer("127.0.0.1:7002", CellCommandsTest.status(2, "master", 2));
        h.cell.master = new io.chubby.api.MasterInfo("local", 2, "127.0.0.1:7002", 7, List.of());
        assertEquals("127.0.0.1:7002 epoch=7 replica=2\n", ok("master").out());
    }

    @Test
    void masterUnknownIsCellUnavailable() {
        Result r = h.run("master");
        assertEquals(21, r.code());
        assertEquals(1, r.errLines().size());
        assertTrue(r.err().startsWith("chubby: CELL_UNAVAILABLE: no replica of 127.0.0.1:7001,"), r.err());
    }
}
