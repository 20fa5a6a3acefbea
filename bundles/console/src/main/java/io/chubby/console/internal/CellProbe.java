package io.chubby.console.internal;

import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientSecurity;
import io.chubby.client.ReplicaStatus;
import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusStatus;
import io.chubby.spi.Member;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * The cell page's rows: this replica's own {@link Consensus#status()}, and every other member's
 * Status asked over the client protocol in parallel (as {@code chubby cell status} asks), each
 * within {@code timeout}; a member that does not answer is a {@link ReplicaRow#down} row saying
 * why. In a TLS cell the Status goes over TLS with the cell's CA ({@code console.status.tls.ca},
 * written by {@code chubby cell up --tls}); without it a TLS cell's other replicas refuse the
 * handshake and read down, the row saying so.
 */
final class CellProbe {
    private final Duration timeout;
    private final ExecutorService pool;
    private final ClientSecurity security;

    CellProbe(Duration timeout, ExecutorService pool, ClientSecurity security) {
        this.timeout = timeout;
        this.pool = pool;
        this.security = security;
    }

    List<ReplicaRow> rows(Consensus consensus) {
        int self = consensus.self().id();
        ConsensusStatus own = consensus.status();
        List<CompletableFuture<ReplicaRow>> asked = new ArrayList<>();
        for (Member m : consensus.members()) {
            if (m.id() == self) {
                asked.add(CompletableFuture.completedFuture(new ReplicaRow(m.id(), m.clientAddress(), own.role(),
                        own.masterId(), own.epoch(), own.commitIndex(), own.appliedIndex(), own.checksum(), true, "")));
            } else {
                asked.add(CompletableFuture.supplyAsync(() -> ask(m), pool));
            }
        }
        return asked.stream().map(CompletableFuture::join).toList();
    }

    private ReplicaRow ask(Member m) {
        try {
            ReplicaStatus s = ChubbyClient.status(m.clientAddress(), timeout, security);
            return new ReplicaRow(m.id(), m.clientAddress(), s.role(), s.masterId(), s.epoch(), s.commitIndex(),
                    s.appliedIndex(), s.checksum(), false, "");
        } catch (RuntimeException e) {
            return ReplicaRow.down(m.id(), m.clientAddress(), "no Status answer within " + timeout.toMillis()
                    + " ms: " + e.getMessage());
        }
    }
}
