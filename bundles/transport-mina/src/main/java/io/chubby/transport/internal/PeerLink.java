package io.chubby.transport.internal;

import io.chubby.client.internal.tls.TlsFilter;
import io.chubby.spi.Member;
import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.mina.core.future.ConnectFuture;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.transport.socket.nio.NioSocketConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound connection to one peer, kept up for as long as the transport runs: connect, send
 * the {@link PeerHandshake}, and after any failure or close reconnect with {@link Backoff}.
 * Links are one-way (this replica only writes on it; the peer writes to us on its own link), which
 * avoids deciding which of two simultaneous connections wins.
 *
 * <p>Threads: state changes come from MINA I/O threads (open, close, connect failure), the
 * reconnect scheduler and the stopping thread, serialised by this object's monitor. {@link #send}
 * takes no lock: it reads the volatile {@code session} and never blocks.
 */
final class PeerLink {
    static final AttributeKey LINK = new AttributeKey(PeerLink.class, "link");
    private static final Logger log = LoggerFactory.getLogger(PeerLink.class);

    private final Member peer;
    private final InetSocketAddress address;
    private final byte[] handshake;
    private final NioSocketConnector connector;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff;
    private final PeerSettings settings;
    private final DropLog drops;

    private volatile IoSession session;
    private boolean running;
    private ScheduledFuture<?> retry;
    private long upSinceNanos;

    PeerLink(Member peer, PeerSettings settings, NioSocketConnector connector, ScheduledExecutorService scheduler,
            Backoff backoff) {
        this.peer = peer;
        this.address = new InetSocketAddress(peer.host(), peer.peerPort());
        this.handshake = new PeerHandshake(settings.selfId(), peer.id(), settings.cell()).encode();
        this.settings = settings;
        this.connector = connector;
        this.scheduler = scheduler;
        this.backoff = backoff;
        this.drops = new DropLog(peer.id());
    }

    /** The replica this link reaches. */
    Member peer() {
        return peer;
    }

    synchronized void start() {
        running = true;
        connect();
    }

    /** Queues a message if the link is up and not backed up; otherwise drops it. Never blocks. */
    void send(byte[] message) {
        IoSession s = session;
        if (s == null || !Sessions.open(s)) {
            drops.dropped("link down");
            return;
        }
        if (s.getScheduledWriteBytes() > settings.maxQueuedBytes()) {
            drops.dropped("write queue over " + settings.maxQueuedBytes() + " bytes");
            return;
        }
        s.write(message);
    }

    boolean up() {
        IoSession s = session;
        return s != null && Sessions.open(s);
    }

    long dropped() {
        return drops.total();
    }

    private synchronized void connect() {
        retry = null;
        if (!running) {
            return;
        }
        ConnectFuture f = connector.connect(address, (s, future) -> {
            s.setAttribute(LINK, this);
            s.setAttribute(TlsFilter.PEER_HOST, peer.host()); // the name its certificate must carry
        });
        f.addListener(done -> {
            ConnectFuture cf = (ConnectFuture) done;
            if (!cf.isConnected()) {
                connectFailed(cf.getException());
            }
        });
    }

    private synchronized void connectFailed(Throwable cause) {
        if (running) {
            long delay = scheduleRetry();
            log.debug("peer connect failed to={} address={} cause=\"{}\" retryMs={}", peer.id(), address, cause,
                    delay);
        }
    }

    /** Called by the connector's handler when the TCP connection is open. */
    void opened(IoSession s) {
        synchronized (this) {
            if (!running) {
                s.closeNow();
                return;
            }
            // The handshake is the first frame; MINA keeps write order, so sends may follow at once.
            s.write(handshake);
            session = s;
            upSinceNanos = System.nanoTime();
        }
        log.info("peer link up from={} to={} address={}", settings.selfId(), peer.id(), address);
    }

    /** Called by the connector's handler when a connection of this link has closed. */
    void closed(IoSession s) {
        long delay = -1;
        boolean wasCurrent;
        synchronized (this) {
            wasCurrent = session == s;
            if (wasCurrent) {
                session = null;
                // A link that stayed up for a while gets a fast reconnect; one that the peer keeps
                // closing right after the handshake (e.g. rejecting it) keeps backing off.
                if (System.nanoTime() - upSinceNanos > TimeUnit.MILLISECONDS.toNanos(backoff.maxMs())) {
                    backoff.reset();
                }
            }
            if (running) {
                delay = scheduleRetry();
            }
        }
        if (wasCurrent && delay >= 0) {
            log.info("peer link down from={} to={} address={} reconnectMs={}", settings.selfId(), peer.id(), address,
                    delay);
        }
    }

    /** Must hold the monitor. Returns the delay chosen, or -1 if a retry was already pending. */
    private long scheduleRetry() {
        if (retry != null && !retry.isDone()) {
            return -1;
        }
        long delay = backoff.next();
        try {
            retry = scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The transport is stopping.
            retry = null;
        }
        return delay;
    }

    void stop() {
        IoSession s;
        synchronized (this) {
            running = false;
            if (retry != null) {
                retry.cancel(false);
                retry = null;
            }
            // A connect in flight is not cancelled: MINA 2.2's connector can miscount a request
            // that is cancelled while it also fails, and then its thread never exits. The attempt
            // ends by itself (loopback refuses at once; else the connect timeout) and opened()
            // closes the session because running is false.
            s = session;
            session = null;
        }
        if (s != null) {
            s.closeNow();
        }
        log.debug("peer link stopped from={} to={}", settings.selfId(), peer.id());
    }
}
