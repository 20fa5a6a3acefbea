package io.chubby.sim.cell;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.CellHost;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.Request;
import io.chubby.spi.AdminShell;
import io.chubby.spi.ClientConnection;
import io.chubby.spi.Member;
import io.chubby.spi.RequestHandler;
import io.chubby.testkit.Await;
import io.chubby.testkit.FakeGroupCell;
import io.chubby.testkit.HashPartitioner;
import io.chubby.testkit.MemoryStateStores;
import io.chubby.testkit.MutableClock;
import io.chubby.transport.internal.ClientAcceptor;
import io.chubby.transport.internal.ClientSettings;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A cell of three replicas hosting N partitions (1 or 4) in this JVM, served to clients over
 * loopback TCP: per replica session-mgr's {@link CellHost} (one CellServer per group, the real
 * router) on the testkit's {@link FakeGroupCell} and memory stores, behind transport-mina's
 * {@link ClientAcceptor}; for N = 4, N recorded with {@code CellHost.recordPartitions}, a
 * {@link HashPartitioner} of 4 bound, cross-group directory steps sent to the master host of the
 * target group. Group g is mastered by replica {@link #MASTERS}[g]. Every request a replica
 * receives is recorded (decoded) for the tests. Each replica has its own clock following real
 * time, so a test can make one replica's time jump. For the tests of the client (ClientPartitionsTest,
 * here), the CLI and the proxy.
 */
public final class PartitionedCell implements AutoCloseable {
    /** The partitions of a partitioned cell here. */
    public static final int N = 4;
    /** Group g's first master: 0 and 3 on replica 1, 1 on replica 2, 2 on replica 3 (alone there). */
    public static final int[] MASTERS = {1, 2, 3, 1};
    public static final String HOST = "127.0.0.1";

    /** A request as a replica received it. */
    public record Received(int replica, Request request) {
    }

    private final List<Integer> ports = new ArrayList<>();
    private final FakeGroupCell groups;
    private final List<CellHost> hosts = new ArrayList<>();
    private final List<MutableClock> clocks = new ArrayList<>();
    private final List<ClientAcceptor> acceptors = new ArrayList<>();
    public final List<Received> received = new CopyOnWriteArrayList<>();

    /** A cell of {@code partitions} (1: as before partitions; or {@link #N}). */
    public PartitionedCell(CellSettings settings, int partitions) throws Exception {
        // listen first, on ports the system chooses (a port picked free and bound later can be taken
        // in between by another test's outgoing connection); no client knows them before this returns
        List<Member> members = new ArrayList<>();
        for (int r = 1; r <= 3; r++) {
            ClientAcceptor a = new ClientAcceptor(ClientSettings.of(new InetSocketAddress(HOST, 0)), recording(r));
            a.start();
            acceptors.add(a);
            int port = a.localAddress().getPort();
            ports.add(port);
            members.add(new Member(r, HOST, port, port));
        }
        groups = new FakeGroupCell(members);
        for (int r = 1; r <= 3; r++) {
            MemoryStateStores stores = new MemoryStateStores();
            MutableClock clock = MutableClock.following(Clock.systemUTC());
            CellHost h = new CellHost(groups.replica(r).open(0), stores.group(0), groups.replica(r), stores, settings,
                    clock, new Random(r));
            h.start();
            hosts.add(h);
            clocks.add(clock);
            groups.replica(r).announcePeerMinors(Map.of(1, 3, 2, 3, 3, 3));
        }
        hosts.forEach(h -> h.crossCalls((g, step) -> {
            int master = groups.masterOf(g);
            return master == 0 ? CompletableFuture.failedFuture(new ChubbyException(ErrorCode.NOT_MASTER,
                    "group " + g + " has no master")) : host(master).crossStep(g, step);
        }));
        groups.elect(0, MASTERS[0]);
        if (partitions > 1) {
            host(MASTERS[0]).recordPartitions(partitions).get(10, TimeUnit.SECONDS);
            for (CellHost h : hosts) {
                Await.until(partitions + " groups open", () -> h.openGroups().size() == partitions);
            }
            for (int g = 1; g < partitions; g++) {
                groups.elect(g, MASTERS[g]);
            }
            HashPartitioner partitioner = new HashPartitioner(partitions);
            hosts.forEach(h -> h.bindPartitioner(partitioner));
        }
    }

    /** The host's handler, recording each request decoded. */
    private RequestHandler recording(int replica) {
        return new RequestHandler() {
            @Override
            public Greeting greeting() {
                return host(replica).greeting();
            }

            @Override
            public void connected(ClientConnection connection) {
                host(replica).connected(connection);
            }

            @Override
            public void request(ClientConnection connection, byte[] request) {
                try {
                    received.add(new Received(replica, Request.parseFrom(request)));
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    // not ours to judge: the host answers it
                }
                host(replica).request(connection, request);
            }

            @Override
            public void disconnected(ClientConnection connection) {
                host(replica).disconnected(connection);
            }

            @Override
            public byte[] leavingNotice() {
                return null; // a crash, not a planned stop: no notice
            }
        };
    }

    CellHost host(int replica) {
        return hosts.get(replica - 1);
    }

    MutableClock clock(int replica) {
        return clocks.get(replica - 1);
    }

    FakeGroupCell groups() {
        return groups;
    }

    /** The replicas' client addresses as a cell spec. */
    public String cellSpec() {
        return String.join(",", ports.stream().map(p -> HOST + ":" + p).toList());
    }

    /** Replica {@code r} runs admin command lines with {@code shell} (what a replica's Gogo shell would). */
    public void setAdminShell(int r, AdminShell shell) {
        host(r).setAdminShell(shell);
    }

    /** Replica {@code r} as if it crashed: it stops taking part in its groups and closes its client connections. */
    public void crash(int r) {
        groups.pause(r);
        acceptors.get(r - 1).stop();
    }

    /** Group {@code g} elects replica {@code r} its master (after a {@link #crash}: the group's failover). */
    public void elect(int g, int r) {
        groups.elect(g, r);
    }

    /** Sessions group {@code g}'s master holds. */
    public int sessions(int g) {
        return host(groups.masterOf(g)).server(g).sessions().sessions().size();
    }

    /** Requests routed to partition {@code p} of kind {@code kind} received since {@code from} (an index into {@link #received}). */
    public long count(int from, int p, Request.BodyCase kind) {
        List<Received> all = List.copyOf(received); // a snapshot: the list grows meanwhile (KeepAlives)
        return all.subList(from, all.size()).stream()
                .filter(x -> x.request().getPartition() == p && x.request().getBodyCase() == kind).count();
    }

    @Override
    public void close() {
        acceptors.forEach(ClientAcceptor::stop);
        hosts.forEach(CellHost::stop);
    }
}
