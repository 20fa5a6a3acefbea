package io.chubby.sim;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How the simulated clients reach the replicas of a {@link CellSimulation}: it opens
 * {@link SimConnection}s (none to a replica that is down, from an isolated client, or across a
 * client cut), carries their messages each way in order after 1-20 ms, delivers a request to a
 * paused replica when it resumes and drops it at a restarted one, breaks connections (the client
 * learns it after a delay), and keeps the partitions of client links: the cuts of
 * {@link #splitClients} and the isolations of {@link #isolate}. Its delays are drawn from the
 * simulation's own generator, so a seed's run is the same as when this lived in the simulation.
 */
final class ClientNetwork {

    private final CellSimulation sim;
    private long nextConnection = 1;
    /** Per client id: the virtual time until which it reaches no replica. */
    private final long[] isolatedUntil;
    private final Set<Long> clientCuts = new HashSet<>();

    ClientNetwork(CellSimulation sim, int clientCount) {
        this.sim = sim;
        this.isolatedUntil = new long[clientCount + 1];
    }

    /** Opens a connection from a client to a replica; null when it cannot be made now. */
    SimConnection connect(SimClient c, int replicaId) {
        SimCellReplica r = sim.replica(replicaId);
        if (!r.up() || sim.now < isolatedUntil[c.id] || clientCuts.contains(cut(c.id, replicaId))) {
            return null;
        }
        SimConnection conn = new SimConnection(sim, nextConnection++, c, r);
        r.connections.add(conn);
        return conn;
    }

    void toReplica(SimConnection conn, byte[] bytes) {
        long t = Math.max(sim.now + 1 + sim.rnd.nextInt(20), conn.lastToReplica);
        conn.lastToReplica = t;
        sim.at(t, () -> arriveAtReplica(conn, bytes));
    }

    private void arriveAtReplica(SimConnection conn, byte[] bytes) {
        SimCellReplica r = conn.replica;
        if (!conn.open || !r.up() || r.incarnation != conn.incarnation) {
            return;
        }
        if (r.paused()) {
            sim.at(r.pausedUntil, () -> arriveAtReplica(conn, bytes));
            return;
        }
        r.request(conn, bytes);
    }

    void toClient(SimConnection conn, byte[] bytes) {
        sim.checks.answered(conn.replica, bytes, conn.client.partition == sim.workloadGroup);
        long t = Math.max(sim.now + 1 + sim.rnd.nextInt(20), conn.lastToClient);
        conn.lastToClient = t;
        sim.at(t, () -> {
            if (conn.open && !conn.client.crashed) {
                conn.client.receive(conn, bytes);
            }
        });
    }

    void breakConnection(SimConnection conn, String why) {
        if (!conn.open) {
            return;
        }
        sim.trace("break " + conn + ": " + why);
        conn.open = false;
        conn.replica.connections.remove(conn);
        sim.at(sim.now + 1 + sim.rnd.nextInt(20), () -> conn.client.disconnected(conn));
    }

    private static long cut(int client, int replica) {
        return ((long) client << 32) | replica;
    }

    /**
     * A partition that splits the clients too: {@code side} clients reach only the replicas in
     * {@code replicasOnSide}, the others only the rest. Connections across the cut break.
     */
    void splitClients(Set<Integer> side, Set<Integer> replicasOnSide) {
        for (SimClient c : sim.clients) {
            for (SimCellReplica r : sim.replicas) {
                if (side.contains(c.id) != replicasOnSide.contains(r.id)) {
                    clientCuts.add(cut(c.id, r.id));
                    for (SimConnection conn : List.copyOf(r.connections)) {
                        if (conn.client == c) {
                            breakConnection(conn, "client " + c.id + " cut off from replica " + r.id);
                        }
                    }
                }
            }
        }
    }

    /** Ends every cut of {@link #splitClients} (isolations last until {@link #endIsolation}). */
    void healClients() {
        clientCuts.clear();
    }

    /** Cuts a client off from every replica until {@code until}: its connections break. */
    void isolate(SimClient c, long until) {
        sim.trace("isolate client " + c.id + " until " + until + " holding " + c.held.keySet() + " safe " + c.safe());
        isolatedUntil[c.id] = until;
        for (SimCellReplica r : sim.replicas) {
            for (SimConnection conn : List.copyOf(r.connections)) {
                if (conn.client == c) {
                    breakConnection(conn, "client " + c.id + " cut off");
                }
            }
        }
    }

    /** Lets an isolated client reach the replicas again at once. */
    void endIsolation(SimClient c) {
        isolatedUntil[c.id] = 0;
    }
}
