package io.chubby.faults;

import io.chubby.client.AdminResult;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ReplicaStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Injects faults into a {@link CellUnderTest} on a schedule drawn from a seed, one fault at a time:
 * inject, hold for a while, repair, stay quiet for a while, next. At the end (stop requested) it
 * heals everything: network back to pass, paused replicas continued, killed ones restarted.
 * Every fault and repair goes to the {@link FaultLog}.
 *
 * <p>Faults: kill -9 of the master (restarted after the hold), kill -9 of a follower (same),
 * SIGSTOP of the master for longer than its Paxos lease then SIGCONT, a partition isolating the
 * master (every peer link to and from it drops everything), one-way loss from one replica to
 * another, a slow link pair (fixed delay), and, when the cell has client proxies, cutting the
 * clients off the master; when Chubby proxies stand in front of the cell, kill -9 of a proxy
 * (restarted on the same port after the hold) and SIGSTOP of a proxy for a few seconds; in a
 * partitioned cell, kill -9 and SIGSTOP of the replica mastering a group drawn from the seed, and a
 * hand-off storm (the master of every group in turn moved to another replica with
 * {@code paxos:transfer --group G --to R}, the admin command {@code chubby cell move-master} runs).
 * The schedule is a function of the seed; what the cell does in between
 * (who is master) is not, so a replay is similar, not identical.
 *
 * <p>Thread: runs on its own thread ({@link #run}); {@code stop} is the only shared state.
 */
public final class Nemesis implements Runnable {

    /** What the nemesis can do. */
    public enum Fault {
        KILL_MASTER("kill-master"), KILL_FOLLOWER("kill-follower"), PAUSE_MASTER("pause-master"),
        PARTITION_MASTER("partition-master"), ONE_WAY_LOSS("one-way-loss"), SLOW_LINKS("slow-links"),
        ISOLATE_CLIENTS_FROM_MASTER("isolate-clients-from-master"), KILL_PROXY("kill-proxy"),
        PAUSE_PROXY("pause-proxy"), KILL_GROUP_MASTER("kill-group-master"),
        PAUSE_GROUP_MASTER("pause-group-master"), HAND_OFF_STORM("hand-off-storm");

        final String label;

        Fault(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** The fault with this label (as in the journal), e.g. "kill-master". */
        public static Fault byLabel(String label) {
            for (Fault f : values()) {
                if (f.label.equals(label)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("no fault '" + label + "'");
        }
    }

    private final CellUnderTest cell;
    private final FaultLog log;
    private final Random random;
    private final long leaseMillis;
    private final AtomicBoolean stop;
    private final List<Fault> menu = new ArrayList<>();
    /** The group faults of a partitioned cell, drawn for half of the faults (else from {@link #menu}). */
    private final List<Fault> groupMenu = new ArrayList<>();

    /**
     * @param leaseMillis the cell's Paxos master lease (a pause lasts well past it)
     */
    public Nemesis(CellUnderTest cell, FaultLog log, long seed, long leaseMillis, AtomicBoolean stop) {
        this(cell, log, seed, leaseMillis, stop, java.util.Set.of());
    }

    /** @param only the faults to draw from; empty = every fault the cell supports */
    public Nemesis(CellUnderTest cell, FaultLog log, long seed, long leaseMillis, AtomicBoolean stop,
                   java.util.Set<Fault> only) {
        this.cell = cell;
        this.log = log;
        this.random = new Random(seed);
        this.leaseMillis = leaseMillis;
        this.stop = stop;
        for (Fault f : Fault.values()) {
            boolean supported = switch (f) {
                case ISOLATE_CLIENTS_FROM_MASTER -> cell.clientProxy(1).isPresent();
                case KILL_PROXY, PAUSE_PROXY -> !cell.proxyIds().isEmpty();
                case KILL_GROUP_MASTER, PAUSE_GROUP_MASTER, HAND_OFF_STORM -> cell.partitions() > 1;
                default -> true;
            };
            if (supported && (only.isEmpty() || only.contains(f))) {
                (isGroupFault(f) ? groupMenu : menu).add(f);
            }
        }
    }

    @Override
    public void run() {
        try {
            while (!stop.get()) {
                hold(1000 + random.nextInt(1500));
                if (stop.get()) {
                    break;
                }
                inject(draw());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            healEverything();
        }
    }

    private static boolean isGroupFault(Fault f) {
        return f == Fault.KILL_GROUP_MASTER || f == Fault.PAUSE_GROUP_MASTER || f == Fault.HAND_OFF_STORM;
    }

    /**
     * The next fault: from the whole menu in a cell of one group (the schedule of a seed as before);
     * in a partitioned cell a group fault for half of the draws, so the group faults are not
     * drowned by the seven replica faults in a one-minute run.
     */
    private Fault draw() {
        List<Fault> from = groupMenu.isEmpty() ? menu
                : menu.isEmpty() || random.nextBoolean() ? groupMenu : menu;
        return from.get(random.nextInt(from.size()));
    }

    private void inject(Fault fault) throws InterruptedException {
        switch (fault) {
            case KILL_MASTER -> withMaster(fault, m -> killAndRestart(fault, m.replicaId()));
            case KILL_FOLLOWER -> withMaster(fault, m -> killAndRestart(fault, follower(m.replicaId())));
            case PAUSE_MASTER -> withMaster(fault, m -> {
                int id = m.replicaId();
                long ms = 2 * leaseMillis + 1000 + random.nextInt(1000);
                log.fault(fault.label, "replica=" + id + " pid=" + cell.pid(id) + " epoch=" + m.epoch() + " pauseMs=" + ms);
                cell.pause(id);
                hold(ms);
                cell.resume(id);
                log.note("heal=resume replica=" + id);
            });
            case PARTITION_MASTER -> withMaster(fault, m -> {
                int id = m.replicaId();
                log.fault(fault.label, "replica=" + id + " epoch=" + m.epoch());
                for (int other : cell.ids()) {
                    if (other != id) {
                        cell.peerProxy(id, other).partition();
                        cell.peerProxy(other, id).partition();
                    }
                }
                hold(3000 + random.nextInt(2000));
                cell.healNetwork();
                log.note("heal=network after=partition-master replica=" + id);
            });
            case ONE_WAY_LOSS -> {
                int from = pick(0);
                int to = pick(from);
                log.fault(fault.label, "from=" + from + " to=" + to);
                // bytes from 'from' to 'to' travel up the link from->to, and down the link to->from
                cell.peerProxy(from, to).dropUpstream();
                cell.peerProxy(to, from).dropDownstream();
                hold(3000 + random.nextInt(2000));
                cell.healNetwork();
                log.note("heal=network after=one-way-loss from=" + from + " to=" + to);
            }
            case SLOW_LINKS -> {
                int a = pick(0);
                int b = pick(a);
                long ms = 100 + random.nextInt(300);
                log.fault(fault.label, "between=" + a + "," + b + " delayMs=" + ms);
                cell.peerProxy(a, b).delay(ms);
                cell.peerProxy(b, a).delay(ms);
                hold(3000 + random.nextInt(2000));
                cell.healNetwork();
                log.note("heal=network after=slow-links between=" + a + "," + b);
            }
            case ISOLATE_CLIENTS_FROM_MASTER -> withMaster(fault, m -> {
                int id = m.replicaId();
                log.fault(fault.label, "replica=" + id);
                cell.clientProxy(id).orElseThrow().partition();
                hold(2000 + random.nextInt(2000));
                cell.healNetwork();
                log.note("heal=network after=isolate-clients replica=" + id);
            });
            case KILL_PROXY -> {
                int k = pickProxy();
                log.fault(fault.label, "proxy=" + k + " pid=" + cell.proxyPid(k));
                cell.killProxy(k);
                hold(2000 + random.nextInt(2000));
                try {
                    cell.startProxy(k);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                log.fault("restart", "proxy=" + k + " pid=" + cell.proxyPid(k));
            }
            case PAUSE_PROXY -> {
                int k = pickProxy();
                long ms = 2000 + random.nextInt(3000);
                log.fault(fault.label, "proxy=" + k + " pid=" + cell.proxyPid(k) + " pauseMs=" + ms);
                cell.pauseProxy(k);
                hold(ms);
                cell.resumeProxy(k);
                log.note("heal=resume proxy=" + k);
            }
            case KILL_GROUP_MASTER -> withGroupMaster(fault, m -> killAndRestart(fault, m.replicaId(),
                    "group=" + m.group() + " epoch=" + m.epoch() + " "));
            case PAUSE_GROUP_MASTER -> withGroupMaster(fault, m -> {
                int id = m.replicaId();
                long ms = 2 * leaseMillis + 1000 + random.nextInt(1000);
                log.fault(fault.label, "group=" + m.group() + " replica=" + id + " pid=" + cell.pid(id) + " epoch="
                        + m.epoch() + " pauseMs=" + ms);
                cell.pause(id);
                hold(ms);
                cell.resume(id);
                log.note("heal=resume replica=" + id);
            });
            case HAND_OFF_STORM -> handOffStorm(fault);
            default -> throw new IllegalStateException("unhandled fault " + fault);
        }
    }

    private interface MasterAction {
        void run(ReplicaStatus master) throws InterruptedException;
    }

    private void withMaster(Fault fault, MasterAction action) throws InterruptedException {
        Optional<ReplicaStatus> m = cell.awaitMaster(Duration.ofSeconds(10));
        if (m.isEmpty()) {
            log.note("skipped=" + fault.label + " reason=no-master-found-within-10s");
            return;
        }
        action.run(m.get());
    }

    /** Group drawn from the seed, then its master as the replicas name it now. */
    private void withGroupMaster(Fault fault, GroupMasterAction action) throws InterruptedException {
        int g = random.nextInt(cell.partitions());
        Optional<CellUnderTest.GroupMaster> m = cell.awaitGroupMaster(g, Duration.ofSeconds(10));
        if (m.isEmpty()) {
            log.note("skipped=" + fault.label + " group=" + g + " reason=no-master-found-within-10s");
            return;
        }
        action.run(m.get());
    }

    private interface GroupMasterAction {
        void run(CellUnderTest.GroupMaster master) throws InterruptedException;
    }

    /**
     * Every group in turn, 0..N-1: its master (as the replicas name it) is asked through the admin
     * channel to hand the group to another replica drawn from the seed. A move refused or not
     * answered is journaled (the cell may be busy with the previous one); it is not an anomaly:
     * only what the clients see is checked.
     */
    private void handOffStorm(Fault fault) throws InterruptedException {
        log.fault(fault.label, "groups=" + cell.partitions());
        for (int g = 0; g < cell.partitions() && !stop.get(); g++) {
            int target = pick(0);
            Optional<CellUnderTest.GroupMaster> m = cell.awaitGroupMaster(g, Duration.ofSeconds(5));
            if (m.isEmpty()) {
                log.note("hand-off group=" + g + " skipped reason=no-master-found-within-5s");
                continue;
            }
            if (m.get().replicaId() == target) {
                target = pick(target);
            }
            String line = "paxos:transfer --group " + g + " --to " + target;
            try {
                AdminResult r = ChubbyClient.admin(cell.directAddress(m.get().replicaId()), line, Duration.ofSeconds(5));
                log.note("hand-off group=" + g + " from=" + m.get().replicaId() + " to=" + target + " epoch="
                        + m.get().epoch() + " status=" + r.status() + " output=" + r.output().strip().replace('\n', ' '));
            } catch (RuntimeException e) {
                log.note("hand-off group=" + g + " from=" + m.get().replicaId() + " to=" + target + " failed=" + e);
            }
            hold(200 + random.nextInt(300));
        }
    }

    private void killAndRestart(Fault fault, int id) throws InterruptedException {
        killAndRestart(fault, id, "");
    }

    private void killAndRestart(Fault fault, int id, String what) throws InterruptedException {
        log.fault(fault.label, what + "replica=" + id + " pid=" + cell.pid(id));
        cell.kill(id);
        hold(2000 + random.nextInt(2000));
        restart(id);
    }

    private void restart(int id) {
        try {
            cell.start(id);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        log.fault("restart", "replica=" + id + " pid=" + cell.pid(id));
    }

    /** A replica other than {@code not} (0 = any), drawn from the seed. */
    private int pick(int not) {
        List<Integer> ids = new ArrayList<>(cell.ids());
        ids.remove(Integer.valueOf(not));
        return ids.get(random.nextInt(ids.size()));
    }

    /** A Chubby proxy, drawn from the seed. */
    private int pickProxy() {
        List<Integer> ids = cell.proxyIds();
        return ids.get(random.nextInt(ids.size()));
    }

    private int follower(int master) {
        return pick(master);
    }

    /** Sleeps up to {@code millis}, returning early when stop is requested. */
    private void hold(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (!stop.get() && System.nanoTime() < end) {
            Thread.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
    }

    private void healEverything() {
        try {
            cell.healAll();
            log.note("heal=all (network pass, paused continued, dead restarted)");
        } catch (IOException e) {
            log.note("heal=all failed error=" + e);
        }
    }
}
