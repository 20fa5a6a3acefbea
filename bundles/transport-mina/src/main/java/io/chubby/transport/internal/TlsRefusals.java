package io.chubby.transport.internal;

import io.chubby.client.internal.tls.TlsFilter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;

/**
 * Logs refused TLS handshakes: one WARN line naming the remote address and why, e.g.
 * {@code TLS handshake refused, closing connection transport=peer remote=127.0.0.1:41234
 * reason="PKIX path building failed ..."}. A process that keeps retrying with the same bad
 * certificate (a peer reconnects every two seconds) gets that line once a minute per remote
 * host and reason, with the number of refusals in between; the others go to DEBUG. Thread-safe.
 */
final class TlsRefusals {
    private static final long REPEAT_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String transport;
    private final Logger log;
    private final Map<String, long[]> last = new ConcurrentHashMap<>(); // key -> {nanos of last WARN, suppressed}

    TlsRefusals(String transport, Logger log) {
        this.transport = transport;
        this.log = log;
    }

    /**
     * If {@code cause} is a TLS failure, logs it and returns true (the caller closes the session
     * without logging again); else false.
     */
    boolean refused(IoSession session, Throwable cause) {
        SSLException tls = TlsFilter.tlsFailure(cause);
        if (tls == null) {
            return false;
        }
        if (Sessions.condemned(session)) {
            return true; // the follow-up errors of a handshake already reported
        }
        String remote = Sessions.remote(session);
        String reason = TlsFilter.describe(tls);
        String host = remote.contains(":") ? remote.substring(0, remote.lastIndexOf(':')) : remote;
        long now = System.nanoTime();
        long[] entry = last.computeIfAbsent(host + " " + reason, k -> new long[] {now - 2 * REPEAT_NANOS, 0});
        boolean warn;
        long suppressed;
        synchronized (entry) {
            warn = now - entry[0] >= REPEAT_NANOS;
            suppressed = entry[1];
            if (warn) {
                entry[0] = now;
                entry[1] = 0;
            } else {
                entry[1]++;
            }
        }
        if (last.size() > 1000) {
            last.clear(); // bounded: a scan of many addresses must not grow this forever
        }
        if (warn) {
            log.warn("TLS handshake refused, closing connection transport={} remote={} reason=\"{}\"{}", transport,
                    remote, reason, suppressed > 0 ? " (" + suppressed + " more like it in the last minute)" : "");
        } else {
            log.debug("TLS handshake refused, closing connection transport={} remote={} reason=\"{}\"", transport,
                    remote, reason);
        }
        Sessions.condemn(session);
        return true;
    }
}
