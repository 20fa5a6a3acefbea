package io.chubby.mirror.internal;

import io.chubby.api.SessionState;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.ClientSecurity;
import java.util.List;

/**
 * The mirror's one session with its own cell, kept for the component's lifetime rather than per
 * run: the client follows the master like any other, so when mastership moves away and back the
 * session acknowledges the failover instead of lingering unclosed (a new master holds writes
 * until every session of the previous epoch has acknowledged or expired). Replaced only once
 * expired. Its session is registered with the {@link MirrorRegistry} as a writer of the target.
 *
 * <p>Threads: {@link #get} and {@link #close} are synchronized (runners of one component may
 * overlap for a moment).
 */
final class TargetClient {
    private final String mirror;
    private final List<String> replicas;
    private final MirrorRegistry registry;
    private final ClientSecurity security;
    private ChubbyClient client;

    TargetClient(String mirror, List<String> replicas, MirrorRegistry registry, ClientSecurity security) {
        this.mirror = mirror;
        this.replicas = List.copyOf(replicas);
        this.registry = registry;
        this.security = security;
    }

    /** The live client, connecting (or replacing an expired one) as needed. */
    synchronized ChubbyClient get() {
        if (client != null && client.sessionState() == SessionState.EXPIRED) {
            close();
        }
        if (client == null) {
            ChubbyClient c = ChubbyClient.connect(ClientOptions.builder().replicas(replicas)
                    .clientName("mirror-" + mirror).security(security).build());
            registry.addWriter(mirror, c.sessionId());
            client = c;
        }
        return client;
    }

    synchronized void close() {
        if (client != null) {
            registry.removeWriter(mirror, client.sessionId());
            try {
                client.close();
            } finally {
                client = null;
            }
        }
    }
}
