package io.chubby.cli.internal.command;

import io.chubby.cli.internal.Harness;
import io.chubby.cli.internal.Harness.Result;
import io.chubby.cli.internal.cell.CellLayout;
import io.chubby.cli.internal.cell.PidFile;
import io.chubby.cli.internal.cell.ProcessLiveness;
import io.chubby.protocol.StatusReply;
import io.chubby.sim.cell.InProcessCell;
import io.chubby.sim.cell.InProcessReplicas;
import io.chubby.testkit.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cell up|down|status} with a stand-in {@code chubby-server} script (a shell that sleeps):
 * real processes, pid files and directories; the Status answers come from real cells in this JVM
 * listening where the layout puts the replicas.
 */
class CellCommandsTest {
    /** Base port of the tests whose replicas never answer (nothing is bound there). */
    /** A base port whose client and peer ports nothing listens on (not a fixed one: benchmarks use 17000). */
    private static final int BASE = freeBase();

    @TempDir
    Path tmp;

    private final Harness h = new Harness();
    private final List<ProcessHandle> spawned = new ArrayList<>();

    private Path fakeHome(String body) throws IOException {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("bin"));
        Path script = home.resolve("bin").resolve("chubby-server");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        // the DNS bridge is part of this distribution (a new cell gets DNS only when it is)
        Files.createDirectories(home.resolve("bundle"));
        Files.writeString(home.resolve("bundle/chubby-dns-bridge.jar"), "");
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
        h.close();
    }

    /** The status line of an answering replica, from what it answers. */
    static String statusLine(int id, String address, StatusReply s) {
        return "replica=" + id + " address=" + address + " pid=" + ProcessHandle.current().pid() + " role=" + s.getRole()
                + " epoch=" + s.getEpoch() + " applied=" + s.getAppliedIndex() + " checksum="
                + String.format("%016x", s.getChecksum());
    }

    @Test
    void upStartsDetachedReplicasThenRestartsOnlyDeadOnesAndDownStopsThem() throws Exception {
        fakeHome("echo \"started $1\"; exec sleep 60");
        int base = h.use(InProcessReplicas.startOnConsecutivePorts(3, 1, 3)).basePort();
        Result up = h.run("cell", "up", "--replicas", "3", "--dir", "c", "--base-port", "" + base);
        assertEquals(0, up.code(), up.err());
        List<String> lines = up.outLines();
        assertEquals("export CHUBBY_CELL=127.0.0.1:" + (base + 1) + ",127.0.0.1:" + (base + 2) + ",127.0.0.1:" + (base + 3),
                lines.get(lines.size() - 1));
        assertEquals("export CHUBBY_DNS=127.0.0.1:" + (base + 51), lines.get(lines.size() - 2));
        assertTrue(up.out().contains("replica 2: answering as replica"), up.out());
        assertTrue(up.out().contains("master: replica 1 at 127.0.0.1:" + (base + 1) + ", epoch 3"), up.out());

        CellLayout layout = CellLayout.read(tmp.resolve("c")).orElseThrow();
        assertEquals(3, layout.replicas());
        assertEquals(base, layout.basePort());
        for (int i = 1; i <= 3; i++) {
            assertEquals("# DNS bridge of replica " + i + " of cell local, written by 'chubby cell up'.\n"
                    + "dns.bind=127.0.0.1\ndns.cell=local\ndns.port=" + (base + 50 + i) + "\n",
                    read(layout.replicaDir(i).resolve("etc/io.chubby.dns.cfg")));
        }
        List<Long> pids = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            pids.add(alive(layout, i).orElseThrow().pid());
        }
        // the script got the absolute instance dir and wrote to the console log
        Await.until("replica 1's console log", () -> read(layout.consoleLog(1)).contains("started"));
        assertEquals("started " + layout.replicaDir(1) + "\n", read(layout.consoleLog(1)));

        // again, options omitted: N and P come from cell.properties, nothing restarts
        Result again = h.run("cell", "up", "--dir", "c");
        assertEquals(0, again.code(), again.err());
        for (int i = 1; i <= 3; i++) {
            assertTrue(again.out().contains("replica " + i + ": running, pid " + pids.get(i - 1) + "\n"), again.out());
        }
        assertFalse(again.out().contains("started"), again.out());

        // one replica dies (and is reaped): only it is restarted, and the line says what it was
        ProcessHandle victim = ProcessHandle.of(pids.get(1)).orElseThrow();
        victim.destroyForcibly();
        victim.onExit().get();
        Result third = h.run("cell", "up", "--dir", "c");
        assertEquals(0, third.code(), third.err());
        long restarted = alive(layout, 2).orElseThrow().pid();
        assertTrue(third.out().contains("replica 2: restarted (was: down, pid " + pids.get(1) + "), pid " + restarted
                + ", log " + layout.replicaDir(2).resolve("log") + "\n"), third.out());
        assertTrue(third.out().contains("replica 1: running, pid " + pids.get(0) + "\n"), third.out());
        assertEquals(pids.get(0), alive(layout, 1).orElseThrow().pid());
        assertNotEquals(pids.get(1), restarted);

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

    /**
     * kill -9 leaves a zombie until the parent reaps it, and ProcessHandle.isAlive() is true for
     * it: 'cell up' used to call such a replica "already running". Here a real zombie (a child its
     * parent never reaps) stands in the pid file of replica 2.
     */
    @Test
    void upRestartsAReplicaWhosePidIsAZombie() throws Exception {
        CellLayout layout = upThree(h.use(InProcessReplicas.startOnConsecutivePorts(3, 1, 3)));
        ProcessHandle old = alive(layout, 2).orElseThrow();
        old.destroyForcibly();
        old.onExit().get();
        long zombie = zombie();
        assertTrue(ProcessHandle.of(zombie).map(ProcessHandle::isAlive).orElse(false), "isAlive() says yes to a zombie");
        new PidFile(layout.pidFile(2)).write(zombie);
        assertEquals(PidFile.State.ZOMBIE, new PidFile(layout.pidFile(2)).status().state());

        Result up = h.run("cell", "up", "--dir", "c");
        assertEquals(0, up.code(), up.err());
        long now = alive(layout, 2).orElseThrow().pid();
        assertTrue(up.out().contains("replica 2: restarted (was: zombie, pid " + zombie + "), pid " + now + ", log "),
                up.out());
        assertTrue(up.out().contains("replica 1: running, pid "), up.out());
        assertTrue(up.out().contains("replica 2: answering as replica"), up.out());
        assertEquals(0, h.run("cell", "down", "--dir", "c", "--grace", "5").code());
    }

    /**
     * A live replica that does not answer Status is stopped and started again; one that started
     * within the startup grace is waited for instead (an earlier 'cell up' may have left it
     * starting). The Status answers come from in-process replicas: isolating replica 2 makes its
     * address refuse, healing it (at the first wait for the restarted replica) brings it back.
     */
    @Test
    void upRestartsAReplicaThatDoesNotAnswerAndWaitsForOneStillStarting() throws Exception {
        InProcessReplicas cell = h.use(InProcessReplicas.startOnConsecutivePorts(3, 1, 3));
        CellLayout layout = upThree(cell);
        ProcessHandle young = alive(layout, 2).orElseThrow();

        cell.replica(2).isolate();
        h.onSleep = n -> cell.replica(2).heal();
        Result starting = h.run("cell", "up", "--dir", "c");
        assertEquals(0, starting.code(), starting.err());
        assertTrue(starting.out().contains("replica 2: starting, pid " + young.pid() + " (not answering yet)\n"),
                starting.out());
        assertTrue(starting.out().contains("replica 2: answering as replica"), starting.out());
        assertTrue(young.isAlive(), "a replica still within its startup grace is not killed");

        cell.replica(2).isolate();
        h.clockAhead = ReplicaCheck.STARTUP_GRACE.plusSeconds(1); // every stand-in is now past its startup grace
        Result hung = h.run("cell", "up", "--dir", "c");
        assertEquals(0, hung.code(), hung.err());
        young.onExit().get(10, TimeUnit.SECONDS); // stopped (SIGTERM) before the new one started
        long now = alive(layout, 2).orElseThrow().pid();
        assertTrue(hung.out().contains("replica 2: restarted (was: not answering, pid " + young.pid() + ", stopped), pid "
                + now + ", log "), hung.out());
        assertTrue(hung.out().contains("replica 3: running, pid "), hung.out());
        assertEquals(0, h.run("cell", "down", "--dir", "c", "--grace", "5").code());
    }

    /**
     * The replicas may still name a master that was just killed: 'cell up' prints the master only
     * once it answers Status as master. Replica 1 (the old master) comes back as a follower at the
     * first wait; replicas 2 and 3 still name it until the second, when replica 2 takes over.
     */
    @Test
    void upPrintsTheMasterOnlyOnceItAnswersAsMaster() throws Exception {
        InProcessReplicas cell = h.use(InProcessReplicas.startOnConsecutivePorts(3, 1, 3));
        int base = cell.basePort();
        CellLayout layout = upThree(cell);
        ProcessHandle oldMaster = alive(layout, 1).orElseThrow();
        oldMaster.destroyForcibly();
        oldMaster.onExit().get();
        cell.replica(1).isolate();
        h.onSleep = n -> {
            if (n == 1) {
                cell.replica(1).consensus().failOver(2, 4);
                cell.replica(1).heal();
            } else if (n == 2) {
                cell.replica(2).consensus().failOver(2, 4);
                cell.replica(3).consensus().failOver(2, 4);
            }
        };
        Result up = h.run("cell", "up", "--dir", "c");
        assertEquals(0, up.code(), up.err());
        assertTrue(up.out().contains("replica 1: restarted (was: down, pid " + oldMaster.pid() + ")"), up.out());
        assertFalse(up.out().contains("master: replica 1"), "never the replica that was killed: " + up.out());
        assertTrue(up.out().contains("master: replica 2 at 127.0.0.1:" + (base + 2) + ", epoch 4\n"), up.out());
        assertTrue(h.sleeps.size() >= 2, "it waited for the new master");
        alive(layout, 1);
        assertEquals(0, h.run("cell", "down", "--dir", "c", "--grace", "5").code());
    }

    /** A re-run without --dns / --no-dns keeps each replica's DNS bridge setting; only those options change it. */
    @Test
    void aReRunKeepsEachReplicasDnsSettingUnlessAskedToChangeIt() throws Exception {
        fakeHome("exec sleep 60");
        int base = h.use(InProcessReplicas.startOnConsecutivePorts(3, 1, 3)).basePort();
        Result off = h.run("cell", "up", "--replicas", "3", "--dir", "c", "--base-port", "" + base, "--no-dns");
        assertEquals(0, off.code(), off.err());
        CellLayout layout = CellLayout.read(tmp.resolve("c")).orElseThrow();
        for (int i = 1; i <= 3; i++) {
            alive(layout, i);
        }
        Path dns2 = layout.configFile(2, "io.chubby.dns");
        assertFalse(Files.exists(dns2));

        Result again = h.run("cell", "up", "--dir", "c");
        assertEquals(0, again.code(), again.err());
        assertFalse(Files.exists(dns2), "still off: no option asked to turn it on");
        assertFalse(again.out().contains("CHUBBY_DNS"), again.out());
        assertFalse(again.out().contains("DNS ports"), again.out());
        assertEquals(2, h.run("cell", "up", "--dir", "c", "--set", "dns.ttl.s=5").code(), "dns.* without the bridge");
        assertFalse(Files.exists(dns2));

        Result on = h.run("cell", "up", "--dir", "c", "--dns");
        assertEquals(0, on.code(), on.err());
        assertTrue(Files.isRegularFile(dns2));
        assertTrue(on.out().contains("export CHUBBY_DNS=127.0.0.1:" + (base + 51) + "\n"), on.out());
        Result kept = h.run("cell", "up", "--dir", "c", "--set", "dns.ttl.s=5");
        assertEquals(0, kept.code(), kept.err());
        assertTrue(read(dns2).contains("dns.ttl.s=5\n"), read(dns2));

        // one replica turned off by hand: the others keep theirs, the first with DNS is exported
        Files.delete(layout.configFile(1, "io.chubby.dns"));
        Result mixed = h.run("cell", "up", "--dir", "c");
        assertEquals(0, mixed.code(), mixed.err());
        assertFalse(Files.exists(layout.configFile(1, "io.chubby.dns")));
        assertTrue(mixed.out().contains("DNS ports " + (base + 52) + "," + (base + 53) + " (replicas [2, 3]"), mixed.out());
        assertTrue(mixed.out().contains("export CHUBBY_DNS=127.0.0.1:" + (base + 52) + "\n"), mixed.out());
        assertEquals(2, h.run("cell", "up", "--dir", "c", "--dns", "--no-dns").code());
        assertEquals(0, h.run("cell", "down", "--dir", "c", "--grace", "5").code());
    }

    /** 'cell up' of three stand-in replicas in DIR c whose Status answers come from {@code cell}. */
    private CellLayout upThree(InProcessReplicas cell) throws IOException {
        fakeHome("exec sleep 60");
        Result up = h.run("cell", "up", "--replicas", "3", "--dir", "c", "--base-port", "" + cell.basePort());
        assertEquals(0, up.code(), up.err());
        return CellLayout.read(tmp.resolve("c")).orElseThrow();
    }

    /** The pid of a zombie: a child that exited at once under a parent (sleep) that never reaps it. */
    private long zombie() throws Exception {
        // The child exits 2 s later, when the shell has long become 'sleep 60', which never reaps it.
        // With 'sleep 0' the shell itself could reap the child before its exec (seen once on a
        // loaded machine: a zombie for an instant, then gone).
        Process parent = new ProcessBuilder("sh", "-c", "sleep 2 & echo $!; exec sleep 60")
                .redirectErrorStream(true).start();
        spawned.add(parent.toHandle());
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(parent.getInputStream())).readLine();
        long pid = Long.parseLong(line.trim());
        Await.until("process " + pid + " is a zombie", () -> ProcessLiveness.isZombie(pid));
        return pid;
    }

    @Test
    void upWritesTuningKeysIntoTheirComponentsFilesAndKeepsThem() throws Exception {
        fakeHome("exec sleep 60");
        int base = h.use(InProcessReplicas.startOnConsecutivePorts(1, 1, 3)).basePort();
        Result up = h.run("cell", "up", "--replicas", "1", "--dir", "c", "--base-port", "" + base,
                "--set", "paxos.lease.ms=3000", "--set", "cell.session.lease.ms=9000", "--set", "dns.ttl.s=5",
                "--set", "metrics.ready.max.lag=500");
        assertEquals(0, up.code(), up.err());
        CellLayout layout = CellLayout.read(tmp.resolve("c")).orElseThrow();
        alive(layout, 1);
        Path etc = layout.replicaDir(1).resolve("etc");
        assertTrue(read(etc.resolve("io.chubby.paxos.cfg")).endsWith("\npaxos.lease.ms=3000\n"));
        assertTrue(read(etc.resolve("io.chubby.cell.cfg")).endsWith("\ncell.session.lease.ms=9000\n"));
        assertTrue(read(etc.resolve("io.chubby.metrics.cfg")).endsWith("\nmetrics.ready.max.lag=500\n"),
                read(etc.resolve("io.chubby.metrics.cfg")));
        assertTrue(read(etc.resolve("io.chubby.dns.cfg")).endsWith("\ndns.bind=127.0.0.1\ndns.cell=local\n"
                + "dns.port=" + (base + 51) + "\ndns.ttl.s=5\n"), read(etc.resolve("io.chubby.dns.cfg")));
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
        // partitions: 1 is today's cell and this one's; another N is refused for an existing cell, nothing written
        assertEquals(0, h.run("cell", "up", "--dir", "c", "--partitions", "1").code());
        Result four = h.run("cell", "up", "--dir", "c", "--partitions", "4");
        assertEquals(2, four.code());
        assertTrue(four.err().contains("the cell in " + tmp.resolve("c") + " was created with 1 partition(s), not 4: "
                + "the number of partitions is fixed for a cell's life"), four.err());
        assertEquals(2, h.run("cell", "up", "--dir", "c", "--set", "partition.count=4").code());
        assertFalse(Files.exists(etc.resolve("io.chubby.partition.cfg")), "a cell of one partition leaves the bundle inert");
        assertEquals(2, h.run("cell", "up", "--dir", "c", "--partitions", "0").code());
        assertTrue(read(etc.resolve("io.chubby.dns.cfg")).contains("dns.ttl.s=5\n"));
        assertEquals(0, h.run("cell", "down", "--dir", "c", "--grace", "5").code());
    }

    @Test
    void partitionsAboveOneNeedTheBundleAndAreFixedWhenTheCellIsCreated() throws Exception {
        Path home = fakeHome("exec sleep 60");
        Result noBundle = h.run("cell", "up", "--replicas", "1", "--dir", "p", "--base-port", "" + BASE,
                "--partitions", "4");
        assertEquals(2, noBundle.code());
        assertTrue(noBundle.err().contains("this distribution has no partitioning bundle (bundle/chubby-partitioning.jar; "
                + "'chubby dist assemble' with feature partitioning makes one that has): --partitions must be 1"),
                noBundle.err());
        assertFalse(Files.exists(tmp.resolve("p")), "nothing created");
        Result contradiction = h.run("cell", "up", "--replicas", "1", "--dir", "p", "--base-port", "" + BASE,
                "--partitions", "4", "--set", "partition.count=8");
        assertEquals(2, contradiction.code());
        assertTrue(contradiction.err().contains("--partitions 4 and --set partition.count=8 contradict each other"),
                contradiction.err());

        // with the bundle: the cell is created with partition.count on every replica, then cell up waits for the
        // record, which these scripted replicas (one group, no partitioner) never make
        Files.writeString(home.resolve("bundle/chubby-partitioning.jar"), "");
        int base = h.use(InProcessReplicas.startOnConsecutivePorts(3, 1, 3)).basePort();
        Result up = h.run("cell", "up", "--replicas", "3", "--dir", "p", "--base-port", "" + base,
                "--set", "partition.count=4", "--wait", "1");
        CellLayout layout = CellLayout.read(tmp.resolve("p")).orElseThrow();
        for (int i = 1; i <= 3; i++) {
            alive(layout, i);
            String cfg = read(layout.replicaDir(i).resolve("etc/io.chubby.partition.cfg"));
            assertTrue(cfg.endsWith("\npartition.count=4\n"), cfg);
        }
        assertTrue(up.out().contains("3 replicas, 4 partitions, client ports"), up.out());
        assertEquals(21, up.code(), up.err());
        assertTrue(up.err().contains("cell in " + tmp.resolve("p") + ": 4 partitions not recorded with a master for "
                + "every group after 1 s: master 1 reports partitioning=absent (no partitioner bound yet)"), up.err());

        // the cell keeps its N: a re-run without --partitions is the same cell, another N is refused
        Result eight = h.run("cell", "up", "--dir", "p", "--partitions", "8");
        assertEquals(2, eight.code());
        assertTrue(eight.err().contains("was created with 4 partition(s), not 8"), eight.err());
        Result one = h.run("cell", "up", "--dir", "p", "--partitions", "1");
        assertEquals(2, one.code());
        assertTrue(one.err().contains("was created with 4 partition(s), not 1"), one.err());
        Files.delete(home.resolve("bundle/chubby-partitioning.jar"));
        Result removed = h.run("cell", "up", "--dir", "p");
        assertEquals(2, removed.code(), "a cell of 4 partitions needs the bundle at every start");
        assertTrue(removed.err().contains("this distribution has no partitioning bundle"), removed.err());
        assertEquals(0, h.run("cell", "down", "--dir", "p", "--grace", "5").code());
    }

    @Test
    void upFailsFastWhenAReplicaExits() throws Exception {
        fakeHome("echo 'cannot bind' >&2; exit 3");
        Result up = h.run("cell", "up", "--replicas", "1", "--dir", "c", "--base-port", "" + BASE);
        assertEquals(1, up.code());
        assertEquals(1, up.errLines().size());
        assertTrue(up.err().startsWith("chubby: replica 1 exited during start; see " + tmp.resolve("c/replica-1/log/console.log")),
                up.err());
        Await.until("the replica's console log", () -> read(tmp.resolve("c/replica-1/log/console.log")).contains("cannot bind"));
    }

    @Test
    void upTimesOutWhenNoMasterIsElected() throws Exception {
        fakeHome("exec sleep 60");
        int base = h.use(InProcessReplicas.startOnConsecutivePorts(1, 0, 0)).basePort(); // a candidate: no master known
        Result up = h.run("cell", "up", "--replicas", "1", "--dir", "c", "--base-port", "" + base, "--wait", "1");
        alive(CellLayout.read(tmp.resolve("c")).orElseThrow(), 1);
        assertEquals(21, up.code());
        assertEquals(List.of("chubby: CELL_UNAVAILABLE: cell in " + tmp.resolve("c") + " not ready after 1 s: no master was elected"),
                up.errLines());
        assertEquals(0, h.run("cell", "down", "--dir", "c").code());
    }

    @Test
    void statusPrintsOneLinePerReplicaFromTheCellDirectory() throws Exception {
        h.workDir = tmp;
        InProcessReplicas cell = h.use(InProcessReplicas.startOnConsecutivePorts(3, 1, 3, 2));
        int base = cell.basePort();
        new CellLayout(tmp.resolve("c"), 3, base, "local").create();
        h.env.remove("CHUBBY_CELL");
        Await.until("InitCell and the takeover's entry applied", () -> cell.replica(1).status().getAppliedIndex() >= 2);
        // taken before the run: the command's listing of proxies (a short session) adds entries after its probe
        StatusReply first = cell.replica(1).status();
        StatusReply third = cell.replica(3).status();
        Result r = h.run("cell", "status", "--dir", "c");
        assertEquals(0, r.code(), r.err());
        String one = "127.0.0.1:" + (base + 1);
        String three = "127.0.0.1:" + (base + 3);
        // the master may apply another entry between the test's Status and the command's (a session
        // of the command's own, on a loaded machine): its applied index and checksum are blanked
        assertEquals(List.of(
                unapplied(statusLine(1, one, first) + " http=http://127.0.0.1:" + (base + 201)
                        + " lease_ms=12000 sessions=0 keepalives_per_s=0.0"),
                "replica=2 address=127.0.0.1:" + (base + 2) + " pid=- role=down epoch=- applied=- checksum=-",
                statusLine(3, three, third) + " http=http://127.0.0.1:" + (base + 203)),
                List.of(unapplied(r.outLines().get(0)), r.outLines().get(1), r.outLines().get(2)));
        // InitCell, and since session-mgr settles a takeover with an entry of its own, that one too
        assertTrue(r.outLines().get(0).matches(".* role=master epoch=3 applied=[1-9][0-9]* .*"), "InitCell applied: " + r.out());
        assertTrue(r.outLines().get(2).contains(" role=replica epoch=3 applied=0 "), r.out());
    }

    /** A status line with its applied index and checksum blanked. */
    private static String unapplied(String line) {
        return line.replaceAll(" applied=\\d+ checksum=\\S+", " applied=? checksum=?");
    }

    @Test
    void statusUsesCellOptionAndFailsWhenNothingAnswers() {
        InProcessCell cell = h.use(InProcessCell.start());
        Await.until("InitCell and the takeover's entry applied", () -> cell.status().getAppliedIndex() >= 2);
        StatusReply before = cell.status(); // the command's listing of proxies adds entries after its probe
        Result one = h.run("cell", "status", "--cell", cell.address());
        assertEquals(0, one.code(), one.err());
        // the replica may apply another entry between the test's Status and the command's: the
        // applied index and checksum are compared as at least the test's, the rest exactly
        assertEquals(1, one.outLines().size(), one.out());
        assertEquals(unapplied(statusLine(1, cell.address(), before) + " lease_ms=12000 sessions=0 keepalives_per_s=0.0"),
                unapplied(one.outLines().get(0)));
        java.util.regex.Matcher applied = java.util.regex.Pattern.compile(" applied=(\\d+) ").matcher(one.outLines().get(0));
        assertTrue(applied.find(), one.out());
        assertTrue(Long.parseLong(applied.group(1)) >= before.getAppliedIndex(), one.out());
        String down = InProcessReplicas.closedAddress();
        Result none = h.run("cell", "status", "--cell", down, "--timeout", "1");
        assertEquals(21, none.code());
        assertEquals(List.of("replica=1 address=" + down + " pid=- role=down epoch=- applied=- checksum=-"), none.outLines());
        assertEquals(List.of("chubby: CELL_UNAVAILABLE: no replica of " + down + " answered within 1 s (--timeout)"),
                none.errLines());
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

    private static int freeBase() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int p = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(20_000);
            if (free(p + 1) && free(p + 51) && free(p + 101)) {
                return p;
            }
        }
        throw new IllegalStateException("no free port range found");
    }

    private static boolean free(int port) {
        try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
