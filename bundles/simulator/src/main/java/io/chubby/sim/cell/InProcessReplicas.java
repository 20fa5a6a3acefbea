package io.chubby.sim.cell;

import io.chubby.spi.Member;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Several {@link InProcessCell}s that present themselves as the replicas 1..n of one cell: each
 * knows every member's address, all name the same master and epoch, and the replicas listed as
 * down are ports left closed. For tests of what clients see of a cell as a whole (status of every
 * replica, a replica that is down, requests redirected to the master).
 *
 * <p>The replicas do not replicate: each has its own log and store, and only the master's receives
 * writes (the others answer Status, MasterLocation and NOT_MASTER, as followers do).
 *
 * <p>Threads: like {@link InProcessCell}.
 */
public final class InProcessReplicas implements AutoCloseable {
    private static final int MAX_ATTEMPTS = 50;

    private final Map<Integer, InProcessCell> live;
    private final List<Member> members;
    private final int basePort;

    private InProcessReplicas(Map<Integer, InProcessCell> live, List<Member> members, int basePort) {
        this.live = live;
        this.members = members;
        this.basePort = basePort;
        live.values().forEach(c -> c.consensus().setMembers(members));
    }

    /**
     * Replicas 1..{@code replicas} on ports the system chooses, all believing {@code masterId} (0:
     * none known) is master at {@code epoch}; the ids in {@code down} get a port nothing listens on.
     */
    public static InProcessReplicas start(int replicas, int masterId, long epoch, int... down) {
        Set<Integer> downIds = ids(replicas, down);
        Map<Integer, InProcessCell> live = new TreeMap<>();
        List<Member> members = new ArrayList<>();
        try {
            for (int id = 1; id <= replicas; id++) {
                int port;
                if (downIds.contains(id)) {
                    port = closedPort(0);
                } else {
                    InProcessCell c = InProcessCell.builder().replicaId(id).view(masterId, epoch).start();
                    live.put(id, c);
                    port = c.port();
                }
                members.add(InProcessCell.member(id, port));
            }
        } catch (RuntimeException e) {
            live.values().forEach(InProcessCell::close);
            throw e;
        }
        return new InProcessReplicas(live, members, -1);
    }

    /**
     * Like {@link #start}, but replica i listens on {@code base + i} for a base port chosen here
     * (see {@link #basePort()}): the layout {@code chubby cell up --base-port base} expects. A base
     * whose ports are not all free is abandoned for another.
     */
    public static InProcessReplicas startOnConsecutivePorts(int replicas, int masterId, long epoch, int... down) {
        Set<Integer> downIds = ids(replicas, down);
        RuntimeException last = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            // below 60000: 'cell up' also derives DNS (base+50+i) and peer (base+100+i) ports
            int base = 20_000 + 10 * ThreadLocalRandom.current().nextInt(4_000);
            Map<Integer, InProcessCell> live = new TreeMap<>();
            try {
                for (int id = 1; id <= replicas; id++) {
                    if (downIds.contains(id)) {
                        closedPort(base + id);
                    } else {
                        live.put(id, InProcessCell.builder().replicaId(id).port(base + id).view(masterId, epoch).start());
                    }
                }
                List<Member> members = IntStream.rangeClosed(1, replicas)
                        .mapToObj(id -> InProcessCell.member(id, base + id)).toList();
                return new InProcessReplicas(live, members, base);
            } catch (UncheckedIOException e) {
                live.values().forEach(InProcessCell::close);
                last = e;
            }
        }
        throw new IllegalStateException("no " + replicas + " consecutive free ports found", last);
    }

    private static Set<Integer> ids(int replicas, int... down) {
        if (replicas < 1) {
            throw new IllegalArgumentException("at least one replica, not " + replicas);
        }
        Set<Integer> out = IntStream.of(down).boxed().collect(Collectors.toSet());
        if (out.stream().anyMatch(id -> id < 1 || id > replicas)) {
            throw new IllegalArgumentException("down replicas " + out + " not all in 1.." + replicas);
        }
        return out;
    }

    /** A port nothing listens on: {@code port} (0: any) was free a moment ago. */
    private static int closedPort(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InProcessCell.HOST, port));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("port " + port + " is taken", e);
        }
    }

    /** An address on 127.0.0.1 that nothing listens on (its port was free a moment ago): a replica that is down. */
    public static String closedAddress() {
        return InProcessCell.HOST + ":" + closedPort(0);
    }

    /** Every replica's client address, in id order (down ones included). */
    public List<String> addresses() {
        return members.stream().map(Member::clientAddress).toList();
    }

    /** The addresses as a cell spec: {@code host:port,host:port,...} (for --cell or CHUBBY_CELL). */
    public String cellSpec() {
        return String.join(",", addresses());
    }

    /** The members every replica knows. */
    public List<Member> members() {
        return members;
    }

    /** Replica i is on {@code basePort() + i}; only for {@link #startOnConsecutivePorts}. */
    public int basePort() {
        if (basePort < 0) {
            throw new IllegalStateException("not started on consecutive ports");
        }
        return basePort;
    }

    /** Replica {@code id}, which must be up. */
    public InProcessCell replica(int id) {
        InProcessCell c = live.get(id);
        if (c == null) {
            throw new IllegalArgumentException("replica " + id + " is down or unknown");
        }
        return c;
    }

    @Override
    public void close() {
        live.values().forEach(InProcessCell::close);
    }
}
