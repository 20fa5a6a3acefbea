package io.chubby.cli.internal.command;

import io.chubby.api.SessionState;
import io.chubby.api.Stat;
import io.chubby.cli.internal.CliContext;
import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.sim.cell.InProcessCell;
import io.chubby.sim.cell.InProcessReplicas;
import io.chubby.spi.AdminShell;
import io.chubby.testkit.Await;
import io.chubby.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The file commands against a real cell in this JVM: what they print and what they change in the cell. */
class FileCommandsTest {
    /** Standing still (2023-11-14T22:13:20Z) unless a test moves it, so listed times are exact. */
    private final MutableClock clock = new MutableClock();
    private final Harness h = new Harness();
    private final InProcessCell cell = h.use(InProcessCell.builder().clock(clock).start());

    @AfterEach
    void close() {
        h.close();
    }

    private Result ok(String... args) {
        Result r = h.run(args);
        assertEquals(0, r.code(), () -> "exit of " + String.join(" ", args) + ", stderr: " + r.err());
        assertEquals("", r.err());
        return r;
    }

    @Test
    void mkdirPutCatLsRoundTrip() {
        ok("mkdir", "/ls/local/demo");
        clock.advance(1_000);
        ok("put", "/ls/local/demo/hello", "hello, chubby");
        assertEquals("hello, chubby", ok("cat", "/ls/local/demo/hello").out());
        ok("mkdir", "/ls/local/demo/sub");
        assertEquals(List.of("hello", "sub/"), ok("ls", "/ls/local/demo").outLines());
        List<String> longLines = ok("ls", "-l", "/ls/local/demo").outLines();
        assertEquals(3, longLines.size());
        assertEquals("TE       SIZE      GEN MODIFIED                 NAME", longLines.get(0), "a header names the columns");
        assertTrue(longLines.get(1).matches("-- +13 +1 2023-11-14T22:13:21Z hello"), longLines.get(1));
        assertTrue(longLines.get(2).startsWith("d- "), longLines.get(2));
        assertTrue(longLines.get(2).endsWith(" sub/"), longLines.get(2));
        // the header's columns end where the entries' do
        assertEquals(longLines.get(0).indexOf("SIZE") + 4, longLines.get(1).indexOf("13") + 2);
        assertEquals(longLines.get(0).indexOf("GEN") + 3, longLines.get(1).indexOf(" 2023") );
    }

    @Test
    void cellIsTakenFromEnvironmentOrOption() {
        ok("ls", "/ls/local");
        assertEquals(List.of(cell.address()), h.connects.get(0).replicas());
        // CHUBBY_CELL names a replica that is down: --cell, before or after the command, wins
        h.env.put(CliContext.CELL_ENV, InProcessReplicas.closedAddress());
        ok("--cell", cell.address(), "ls", "/ls/local");
        ok("ls", "--cell", cell.address(), "--timeout", "3", "/ls/local");
        assertEquals(List.of(cell.address()), h.connects.get(2).replicas());
        assertEquals(3, h.connects.get(2).callTimeout().toSeconds());
        assertEquals(0, cell.status().getSessions(), "every command closed its session");
    }

    @Test
    void statPrintsEveryField() {
        clock.advance(5_000);
        ok("put", "/ls/local/f", "abc");
        clock.advance(1_000);
        ok("put", "/ls/local/f", "abc");
        List<String> lines = ok("stat", "/ls/local/f").outLines();
        assertEquals(List.of("path: /ls/local/f", "type: file", "ephemeral: false", "instance: 2",
                "content.generation: 2", "lock.generation: 0", "acl.generation: 1",
                "checksum: e71fa2190541574b", // FNV-1a 64 of "abc"
                "size: 3", "acl.read: -", "acl.write: -", "acl.change: -",
                "created: 2023-11-14T22:13:25Z", "modified: 2023-11-14T22:13:26Z"), lines);
    }

    @Test
    void catWritesRawBytes() {
        byte[] bin = {0, (byte) 0xff, 10, 13, 'x'};
        h.stdin = bin;
        ok("put", "/ls/local/bin", "-");
        assertArrayEquals(bin, h.bytes("/ls/local/bin"), "stdin stored byte for byte");
        assertArrayEquals(bin, ok("cat", "/ls/local/bin").outBytes(), "nothing added, nothing re-encoded");
    }

    @Test
    void putOverwritesAndCasChecksGeneration() {
        ok("put", "/ls/local/f", "one");
        ok("put", "/ls/local/f", "two");
        assertEquals("two", h.contents("/ls/local/f"));
        assertEquals(2, h.stat("/ls/local/f").contentGeneration());
        ok("put", "--cas", "2", "/ls/local/f", "three");
        assertEquals("three", h.contents("/ls/local/f"));
        Result r = h.run("put", "--cas", "2", "/ls/local/f", "four");
        assertEquals(18, r.code());
        // the cell names the file relative to the cell
        assertEquals(List.of("chubby: CAS_MISMATCH: /ls/local/f is at content generation 3, not 2"), r.errLines());
        assertEquals("three", h.contents("/ls/local/f"));
    }

    @Test
    void putEphemeralHoldsUntilTheProcessIsStopped() {
        h.stopAfterSleeps = 3;
        h.onSleep = n -> assertTrue(h.stat("/ls/local/lock").ephemeral(), "held as an ephemeral file");
        Result r = ok("put", "--ephemeral", "/ls/local/lock", "me");
        assertTrue(r.out().startsWith("holding ephemeral /ls/local/lock"), r.out());
        assertEquals(List.of("shutdown"), h.waits);
        assertEquals(3, h.sleeps.size(), "held, checking the session every second, until stopped");
        assertFalse(h.exists("/ls/local/lock"), "the shutdown hook released it");
        assertTrue(h.hooks.isEmpty());
    }

    @Test
    void putEphemeralOpensAgainWhenTheOutcomeOfItsOpenIsUnknown() {
        // Proposals from now (the started cell makes none of its own any more: InProcessCell waits
        // for its lease ceiling): the CreateSession, then the Open, applied but reported NOT_MASTER
        // (a failover before the master knew it committed): the client sees OUTCOME_UNKNOWN.
        cell.consensus().failProposalAfterCommit(2);
        Result r = h.run("put", "--ephemeral", "--hold", "2", "/ls/local/lock", "me");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("holding ephemeral /ls/local/lock"), r.out());
        assertTrue(r.err().contains("outcome of the ephemeral open unknown"), "stderr: " + r.err());
        assertEquals(2, h.sleeps.size(), "held for its two seconds");
        assertFalse(h.exists("/ls/local/lock"), "released at the end");
    }

    @Test
    void putEphemeralHoldsForSecondsThenReleases() {
        ok("put", "--ephemeral", "--hold", "5", "/ls/local/lock", "me");
        assertEquals(5, h.sleeps.size());
        assertEquals(5, h.sleeps.stream().mapToLong(Duration::toSeconds).sum());
        assertFalse(h.exists("/ls/local/lock"));
        assertTrue(h.hooks.isEmpty(), "no shutdown hook left behind");
        assertTrue(h.waits.isEmpty());
    }

    @Test
    void putEphemeralFailsWhenTheSessionExpires() {
        // During the first second of the hold the command's session is cut off from the cell for
        // longer than any lease: the master ends it (and so deletes the file); once the client can
        // reach the master again it learns that its session is gone.
        h.onSleep = n -> {
            if (n == 1) {
                cell.isolate();
                for (int step = 0; step < 2; step++) { // answer the held KeepAlive, then expire
                    clock.advance(Duration.ofSeconds(61));
                    cell.tick();
                }
                assertEquals(0, cell.status().getSessions(), "the master ended the session");
                cell.heal();
                Await.until("the client to see its session expired",
                        () -> h.clients.get(0).sessionState() == SessionState.EXPIRED);
            }
        };
        Result r = h.run("put", "--ephemeral", "--hold", "5", "/ls/local/lock", "me");
        assertEquals(17, r.code());
        assertEquals(List.of("chubby: SESSION_EXPIRED: the session expired: /ls/local/lock is no longer held"),
                r.errLines());
        assertEquals(1, h.sleeps.size());
        assertFalse(h.exists("/ls/local/lock"));
    }

    @Test
    void putEphemeralRefusesAPermanentFile() {
        ok("put", "/ls/local/perm", "x");
        Result r = h.run("put", "--ephemeral", "--hold", "1", "/ls/local/perm", "y");
        assertEquals(11, r.code());
        assertEquals(List.of("chubby: EXISTS: /ls/local/perm exists and is not ephemeral"), r.errLines());
        assertEquals("x", h.contents("/ls/local/perm"));
    }

    @Test
    void mkdirParentsAndRecursiveRm() {
        ok("mkdir", "-p", "/ls/local/a/b/c");
        assertTrue(h.stat("/ls/local/a/b/c").directory());
        ok("mkdir", "-p", "/ls/local/a/b");
        assertEquals(11, h.run("mkdir", "/ls/local/a").code(), "EXISTS without -p");
        ok("put", "/ls/local/a/b/f", "x");
        // a file in the way: the target itself (EXISTS), or a parent (NOT_A_DIRECTORY); nothing created
        Result target = h.run("mkdir", "-p", "/ls/local/a/b/f");
        assertEquals(11, target.code());
        assertEquals(List.of("chubby: EXISTS: /ls/local/a/b/f exists and is a file, not a directory"), target.errLines());
        Result parent = h.run("mkdir", "-p", "/ls/local/a/b/f/g/h");
        assertEquals(12, parent.code());
        assertEquals(List.of("chubby: NOT_A_DIRECTORY: cannot create /ls/local/a/b/f/g/h: /ls/local/a/b/f is a file"),
                parent.errLines());
        assertFalse(h.stat("/ls/local/a/b/f").directory());
        assertFalse(h.exists("/ls/local/a/b/f/g"));
        Result notEmpty = h.run("rm", "/ls/local/a");
        assertEquals(13, notEmpty.code());
        assertTrue(notEmpty.err().startsWith("chubby: NOT_EMPTY: "), notEmpty.err());
        ok("rm", "-r", "/ls/local/a");
        assertFalse(h.exists("/ls/local/a"));
        assertFalse(h.exists("/ls/local/a/b/f"));
        assertTrue(h.exists("/ls/local"));
    }

    /** What mkdir -p stands on: concurrent creators of one directory all succeed, exactly one creates it. */
    @Test
    void ensureDirectoryRacedByFourClientsCreatesItOnce() throws Exception {
        List<ChubbyClient> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < 4; i++) {
                clients.add(ChubbyClient.connect(ClientOptions.forCell(cell.address())));
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> created = new ArrayList<>();
            for (ChubbyClient c : clients) {
                created.add(pool.submit(() -> {
                    go.await();
                    return c.ensureDirectory("/ls/local/shared");
                }));
            }
            go.countDown();
            int creators = 0;
            for (Future<Boolean> f : created) {
                creators += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(1, creators);
            assertTrue(h.stat("/ls/local/shared").directory());
        } finally {
            pool.shutdownNow();
            clients.forEach(ChubbyClient::close);
        }
    }

    @Test
    void aclGetAndPartialSet() {
        ok("put", "/ls/local/f", "x");
        ok("acl", "set", "/ls/local/f", "--write", "admins");
        assertEquals(List.of("read: -", "write: admins", "change: -", "acl.generation: 2"),
                ok("acl", "get", "/ls/local/f").outLines());
        ok("acl", "set", "/ls/local/f", "--read", "r", "--write", "w", "--change", "c");
        assertEquals(List.of("read: r", "write: w", "change: c", "acl.generation: 3"),
                ok("acl", "get", "/ls/local/f").outLines());
        Stat s = h.stat("/ls/local/f");
        assertEquals(List.of("r", "w", "c"), List.of(s.readAcl(), s.writeAcl(), s.changeAcl()));
    }

    /** Three replicas whose admin shells record "ADDRESS LINE"; "nope" fails with status 3. */
    private InProcessReplicas replicasWithShells(int master, long epoch, List<String> calls) {
        InProcessReplicas r = h.use(InProcessReplicas.start(3, master, epoch));
        for (int id = 1; id <= 3; id++) {
            String address = r.addresses().get(id - 1);
            r.replica(id).setAdminShell(line -> {
                calls.add(address + " " + line);
                return line.equals("nope") ? new AdminShell.Result(3, "boom\n") : new AdminShell.Result(0, "bundles");
            });
        }
        return r;
    }

    @Test
    void adminJoinsWordsAndTargetsMasterOrGivenReplica() {
        List<String> calls = new CopyOnWriteArrayList<>();
        List<String> a = replicasWithShells(2, 4, calls).addresses();
        Result r = ok("admin", "lb", "-s");
        assertEquals("bundles\n", r.out());
        ok("admin", "--replica", a.get(2), "chubby:status");
        assertEquals(List.of(a.get(1) + " lb -s", a.get(2) + " chubby:status"), calls);

        Result failed = h.run("admin", "--replica", a.get(2), "nope");
        assertEquals(1, failed.code());
        assertEquals("boom\n", failed.out());
        assertEquals(List.of("chubby: admin command failed in " + a.get(2) + " with status 3"), failed.errLines());
    }

    @Test
    void masterTransferRunsPaxosTransferInTheMaster() {
        List<String> calls = new CopyOnWriteArrayList<>();
        List<String> a = replicasWithShells(2, 4, calls).addresses();
        assertEquals("bundles\n", ok("master", "transfer").out());
        ok("master", "transfer", "--to", "3");
        ok("master", "transfer", "--group", "2", "--to", "1");
        assertEquals(List.of(a.get(1) + " paxos:transfer", a.get(1) + " paxos:transfer --to 3",
                a.get(1) + " paxos:transfer --group 2 --to 1"), calls);
        assertEquals(2, h.run("master", "transfer", "--to", "x").code(), "usage error");
    }

    @Test
    void adminWithoutAMasterUsesTheFirstReplica() {
        List<String> calls = new CopyOnWriteArrayList<>();
        List<String> a = replicasWithShells(0, 0, calls).addresses();
        ok("admin", "chubby:status");
        assertEquals(List.of(a.get(0) + " chubby:status"), calls);
    }

    @Test
    void masterPrintsAddressEpochAndId() {
        InProcessReplicas r = h.use(InProcessReplicas.start(3, 2, 7, 1));
        assertEquals(r.addresses().get(1) + " epoch=7 replica=2\n", ok("master").out());
    }

    @Test
    void masterUnknownIsCellUnavailable() {
        InProcessReplicas r = h.use(InProcessReplicas.start(3, 0, 0));
        Result res = h.run("master", "--timeout", "1");
        assertEquals(21, res.code());
        assertEquals(1, res.errLines().size(), res.err());
        assertTrue(res.err().startsWith("chubby: CELL_UNAVAILABLE: no replica of " + r.cellSpec()
                + " named a master within 1 s (--timeout); last: 127.0.0.1:"), res.err());
        assertTrue(res.err().strip().endsWith(" knows no master"), res.err());

        String down = InProcessReplicas.closedAddress();
        h.env.put(CliContext.CELL_ENV, down);
        Result none = h.run("master", "--timeout", "1");
        assertEquals(21, none.code());
        assertEquals(1, none.errLines().size(), none.err());
        assertTrue(none.err().startsWith("chubby: CELL_UNAVAILABLE: no replica of " + down
                + " named a master within 1 s (--timeout); last: CELL_UNAVAILABLE: replica " + down
                + " did not answer: cannot connect to " + down + ": Connection refused"), none.err());
    }
}
