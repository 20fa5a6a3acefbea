package io.chubby.sim;

import io.chubby.spi.ClientConnection;

/**
 * A simulated TCP connection between a {@link SimClient} and one incarnation of a replica:
 * messages each way arrive in order after a network delay; it breaks when the replica crashes,
 * when the client is cut off, or when either side closes it (the other side learns it after a
 * delay). The replica side sees it as its {@link ClientConnection}.
 */
final class SimConnection implements ClientConnection {
    final long id;
    final SimClient client;
    final SimCellReplica replica;
    final int incarnation;
    private final CellSimulation sim;
    boolean open = true;
    /** The latest scheduled arrival each way (arrivals never overtake each other). */
    long lastToReplica;
    long lastToClient;

    SimConnection(CellSimulation sim, long id, SimClient client, SimCellReplica replica) {
        this.sim = sim;
        this.id = id;
        this.client = client;
        this.replica = replica;
        this.incarnation = replica.incarnation;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public String remoteAddress() {
        return "client-" + client.id;
    }

    @Override
    public io.chubby.spi.Principal principal() {
        return sim.acl ? SimAcl.principalOf(client.id) : io.chubby.spi.Principal.ANONYMOUS;
    }

    @Override
    public String clientName() {
        return "sim-client-" + client.id;
    }

    @Override
    public void send(byte[] message) {
        if (open) {
            sim.clientNetwork.toClient(this, message);
        }
    }

    @Override
    public void close(String reason) {
        sim.clientNetwork.breakConnection(this, reason);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public String toString() {
        return "conn " + id + " client " + client.id + " -> replica " + replica.id;
    }
}
