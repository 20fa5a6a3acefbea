package io.chubby.faults;

import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.SequencerCheck;
import io.chubby.client.SequencerVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "external server" of the lock workload: a register outside the cell that accepts a write
 * only with a valid sequencer, the way Chubby users protect a resource with a lock (SPEC section
 * 5). Each write's sequencer is checked with the client library's {@link SequencerVerifier}
 * (local rejection of a generation older than one already accepted, else CheckSequencer against
 * the cell) through this server's own session; a valid one is applied, an invalid one rejected.
 *
 * <p>When the cell cannot be asked (no master, session expired) the write is neither accepted nor
 * rejected as stale: {@link Verdict#UNDECIDED}, and nothing is applied (no effect).
 *
 * <p>Thread: {@link #write} is synchronized, so check-then-apply is atomic with respect to other
 * writers (a write checked valid cannot be overtaken by a newer holder's write between its check
 * and its application). The verifier's session is (re)created lazily under the same lock.
 */
final class ProtectedRegister implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProtectedRegister.class);

    /** What the external server answered. */
    enum Verdict { ACCEPTED, STALE, UNDECIDED }

    private final ClientOptions options;
    private ChubbyClient client;
    private SequencerVerifier verifier;
    private long value;
    private long accepted;
    private long rejected;
    private String lastRejection = "";

    ProtectedRegister(ClientOptions options) {
        this.options = options.toBuilder().clientName("faults-protected-register").build();
    }

    synchronized Verdict write(byte[] sequencer, long newValue) {
        SequencerCheck check;
        try {
            if (client == null) {
                client = ChubbyClient.connect(options);
                // a fresh verifier forgets the newest generations seen: still correct, the cell decides
                verifier = new SequencerVerifier(client);
            }
            check = verifier.verify(sequencer);
        } catch (RuntimeException e) {
            log.info("protected register cannot check a sequencer error={}", e.toString());
            dropSession();
            return Verdict.UNDECIDED;
        }
        if (!check.valid()) {
            rejected++;
            lastRejection = check.reason();
            return Verdict.STALE;
        }
        value = newValue;
        accepted++;
        return Verdict.ACCEPTED;
    }

    synchronized long value() {
        return value;
    }

    synchronized String describe() {
        return "protected-register accepted=" + accepted + " rejected=" + rejected + " lastRejection=" + lastRejection;
    }

    private void dropSession() {
        if (client != null) {
            try {
                client.close();
            } catch (RuntimeException e) {
                log.debug("close failed", e);
            }
            client = null;
            verifier = null;
        }
    }

    @Override
    public synchronized void close() {
        dropSession();
    }
}
