package io.chubby.cli.internal.command;

import io.chubby.api.MasterInfo;
import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.cli.internal.cell.CellLayout;
import io.chubby.cli.internal.cell.PidFile;
import io.chubby.client.ReplicaStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cell up|down|status} with a stand-in {@code chubby-server} script (a shell that sleeps)
 * and an in-memory cell answering Status: real processes, pid files and directories, no server.
 */
class CellCommandsTest {
    private static final int BASE = 17000;

    @TempDir
    Path tmp;

    private final Harness h = new Harness();
    private final List<ProcessHandle> spawned = new ArrayList<>();

    static ReplicaStatus status(int id, String role, int masterId) {
        return new ReplicaStatus(id, role, masterId, 3, 10, 9, 0xabcdefL, 1, "master".equals(role), 0, 4,
                "127.0.0.1:" + (BASE + id), 4242 + id, Map.of());
    }

    private void answerAll(int n) {
        for (int i = 1; i <= n; i++) {
            h.cell.answer("127.0.0.1:" + (BASE + i), status(i, i == 1 ? "master" : "replica", 1));
        }
        h.cell.master = new MasterInfo("local", 1, "127.0.0.1:" + (BASE + 1), 3, List.of());
    }

    private Path fakeHome(String body) throws IOException {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("bin"));
        Path script = home.resolve("bin").resolve("chubby-server");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        h.env.put("CHUBBY_HOME", home.toString());
        h.workDir = tmp;
        return home;
    }

    private Optional<ProcessHandle> alive(CellLayout layout, int id) {
        Optional<ProcessHandle> p = new PidFile(layout.pidFile(id)).alive();
        p.ifPresent(spawned::add);
        return p;
    }

    @AfterEach
    void killLeftovers() {
        spawned.forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void upStartsDetachedReplicasThenRestartsOnlyDeadOnesAndDownStopsThem() throws Exception {
        fakeHome("echo \"started $1\"; exec sleep 60");
        answerAll(3);
        Result up = h.run("cell", "up", "--replicas", "3", "--dir", "c", "--base-port", "" + BASE);
        assertEquals(0, up.code(), up.err());
        List<String> lines = up.outLines();
        assertEquals("export CHUBBY_CELL=127.0.0.1:17001,127.0.0.1:17002,127.0.0.1:17003", lines.get(lines.size() - 1));
        assertEquals("export CHUBBY_DNS=127.0.0.1:17051", lines.get(lines.size() - 2));
        assertTrue(up.out().contains("master: replica 1 at 127.0.0.1:17001, epoch 3"), up.out());

        CellLayout layout = CellLayout.read(tmp.resolve("c")).orElseThrow();
        assertEquals(3, layout.replicas());
        assertEquals(BASE, layout.basePort());
        for (int i = 1; i <= 3; i++) {
            assertEquals("# DNS bridge of replica " + i + " of cell local, written by 'chubby cell up'.\n"
                    + "dns.bind=127.0.0.1\ndns.cell=local\ndns.port=" + (BASE + 50 + i) + "\n",
                    read(layout.replicaDir(i).resolve("etc/io.chubby.dns.cfg")));
        }
        List<Long> pids = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            pids.add(alive(layout, i).orElseThrow().pid());
        }
        // the script got the absolute instance dir and wrote to the console log
        waitFor(() -> Files.exists(layout.consoleLog(1)) && read(layout.consoleLog(1)).contains("started"));
        assertEquals("started " + layout.replicaDir(1) + "\n", read(layout.consoleLog(1)));

        // again, options omitted: N and P come from cell.properties, nothing restarts
        Result again = h.run("cell", "up", "--dir", "c");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("replica 2: already running, pid " + pids.get(1)), again.out());
        assertFalse(again.out().contains("started"), again.out());

        // one replica dies: only it is restarted
        ProcessHandle victim = ProcessHandle.of(pids.get(1)).orElseThrow();
        victim.destroyForcibly();
        victim.onExit().get();
        Result third = h.run("cell", "up", "--dir", "c");
        assertEquals(0, third.code(), third.err());
        assertTrue(third.out().contains("replica 2: started"), third.out());
        assertEquals(pids.get(0), alive(layout, 1).orElseThrow().pid());
        assertNotEquals(pids.get(1), alive(layout, 2).orElseThrow().pid());

        // a different size for the existing cell is refused
        assertEquals(2, h.run("cell", "up", "--dir", "c", "--replicas", "5").code());

        Result down = h.run("cell", "down", "--dir", "c", "--grace", "5");
        assertEquals(0, down.code(), down.err());
        assertTrue(down.out().contains("cell down: 3 replica(s) stopped"), down.out());
        for (int i = 1; i <= 3; i++) {
            assertFalse(Files.exists(layout.pidFile(i)));
        }
        for (ProcessHandle p : spawned) {
            assertFalse(p.isAlive(), "pid " + p.pid() + " still alive");
        }
        assertTrue(Files.isRegularFile(layout.configFile(2)), "data and config are kept");
        Result downAgain = h.run("cell", "down", "--dir", "c");
        assertEquals(0, downAgain.code());
        assertTrue(downAgain.out().contains("replica 1: not running"), downAgain.out());
    }

    @Test
    void upWritesTuningKeysIntoTheirComponentsFilesAndKeepsThem() throws Exception {
        fakeHome("exec sleep 60");
        answerAll(1);
        Result up = h.run("cell", "up", "--replicas", "1", "--dir", "c", "--base-port", "" + BASE,
                "--set", "paxos.lease.ms=3000", "--set", "cell.session.lease.ms=9000", "--set", "dns.ttl.s=5");
        assertEquals(0, up.code(), up.err());
        CellLayout layout = CellLayout.read(tmp.resolve("c")).orElseThrow();
        alive(layout, 1);
        Path etc = layout.replicaDir(1).resolve("etc");
        assertTrue(read(etc.resolve("io.chubby.paxos.cfg")).endsWith("\npaxos.lease.ms=3000\n"));
        assertTrue(read(etc.resolve("io.chubby.cell.cfg")).endsWith("\ncell.session.lease.ms=9000\n"));
        assertTrue(read(etc.resolve("io.chubby.dns.cfg")).endsWith("\ndns.bind=127.0.0.1\ndns.cell=local\n"
                + "dns.port=" + (BASE + 51) + "\ndns.ttl.s=5\n"), read(etc.resolve("io.chubby.dns.cfg")));
        assertFalse(read(layout.configFile(1)).contains("lease"), "the identity file has identity keys only");
        assertFalse(Files.exists(etc.resolve("io.chubby.store.cfg")), "no tuning, no file");

        // a later run without --set keeps them; an unknown or identity key is a usage error, nothing written
        assertEquals(0, h.run("cell", "up", "--dir", "c").code());
        assertTrue(read(etc.resolve("io.chubby.dns.cfg")).contains("dns.ttl.s=5\n"));
        Result unknown = h.run("cell", "up", "--dir", "c", "--set", "transport.io.threads=4");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("'transport.io.threads' belongs to no component"), unknown.err());
        Result identity = h.run("cell", "up", "--dir", "c", "--set", "replica.id=4");
        assertEquals(2, identity.code());
        assertTrue(identity.err().contains("written by 'cell up' itself"), identity.err());
        assertEquals(2, h.run("cell", "up", "--dir", "c", "--no-dns", "--set", "dns.ttl.s=1").code());
        assertTrue(read(etc.resolve("io.chubby.dns.cfg")).contains("dns.ttl.s=5\n"));
        assertEquals(0, h.run("cell", "down", "--dir", "c", "--grace", "5").code());
    }

    @Test
    void upFailsFastWhenAReplicaExits() throws Exception {
        fakeHome("echo 'cannot bind' >&2; exit 3");
        Result up = h.run("cell", "up", "--replicas", "1", "--dir", "c", "--base-port", "" + BASE);
        assertEquals(1, up.code());
        assertEquals(1, up.errLines().size());
        assertTrue(up.err().startsWith("chubby: replica 1 exited during start; see " + tmp.resolve("c/replica-1/log/console.log")),
                up.err());
        waitFor(() -> read(tmp.resolve("c/replica-1/log/console.log")).contains("cannot bind"));
    }

    @Test
    void upTimesOutWhenNoMasterIsElected() throws Exception {
        fakeHome("exec sleep 60");
        h.cell.answer("127.0.0.1:" + (BASE + 1), status(1, "candidate", 0));
        Result up = h.run("cell", "up", "--replicas", "1", "--dir", "c", "--base-port", "" + BASE, "--wait", "1");
        alive(CellLayout.read(tmp.resolve("c")).orElseThrow(), 1);
        assertEquals(21, up.code());
        assertEquals(List.of("chubby: CELL_UNAVAILABLE: cell in " + tmp.resolve("c") + " not ready after 1 s: no master was elected"),
                up.errLines());
        assertEquals(0, h.run("cell", "down", "--dir", "c").code());
    }

    @Test
    void statusPrintsOneLinePerReplicaFromTheCellDirectory() throws Exception {
        h.workDir = tmp;
        new CellLayout(tmp.resolve("c"), 3, BASE, "local").create();
        h.cell.answer("127.0.0.1:17001", status(1, "master", 1));
        h.cell.answer("127.0.0.1:17003", status(3, "replica", 1));
        Result r = h.run("cell", "status", "--dir", "c");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(
                "replica=1 address=127.0.0.1:17001 pid=4243 role=master epoch=3 applied=9 checksum=0000000000abcdef",
                "replica=2 address=127.0.0.1:17002 pid=- role=down epoch=- applied=- checksum=-",
                "replica=3 address=127.0.0.1:17003 pid=4245 role=replica epoch=3 applied=9 checksum=0000000000abcdef"),
                r.outLines());
    }

    @Test
    void statusUsesCellOptionAndFailsWhenNothingAnswers() {
        h.cell.answer("127.0.0.1:7001", status(1, "master", 1));
        Result one = h.run("cell", "status", "--cell", "127.0.0.1:7001");
        assertEquals(0, one.code(), one.err());
        assertEquals(1, one.outLines().size());
        Result none = h.run("cell", "status", "--cell", "127.0.0.1:7009");
        assertEquals(21, none.code());
        assertEquals(List.of("replica=1 address=127.0.0.1:7009 pid=- role=down epoch=- applied=- checksum=-"), none.outLines());
        assertEquals(List.of("chubby: CELL_UNAVAILABLE: no replica of 127.0.0.1:7009 answered"), none.errLines());
    }

    @Test
    void downWithoutACellIsANoOp() {
        h.workDir = tmp;
        Result r = h.run("cell", "down", "--dir", "nothing");
        assertEquals(0, r.code());
        assertEquals("no cell in " + tmp.resolve("nothing") + ": nothing to stop\n", r.out());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(20);
        }
    }
}
