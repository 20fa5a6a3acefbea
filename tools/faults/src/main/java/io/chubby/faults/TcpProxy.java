package io.chubby.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fault-injecting TCP proxy for ONE directed link: it listens on 127.0.0.1 and forwards every
 * accepted connection to one target. "Upstream" is the direction from the dialer (the side that
 * connected to the proxy) to the target, "downstream" the answers.
 *
 * <p>The fault can be changed at any time from any thread: {@link #pass()}, {@link #partition()}
 * (drop everything), {@link #dropUpstream()} / {@link #dropDownstream()} (one-way loss),
 * {@link #delay(long)} (every chunk is held for a fixed time, order kept) and {@link #reset()}
 * (close all current connections with an RST).
 *
 * <p>Why dropped connections are closed on heal: TCP is a byte stream, so a connection that lost
 * bytes in the middle is desynchronised for good (a real network would have retransmitted them).
 * {@link #pass()} therefore closes every connection that lost bytes, and the endpoints reconnect
 * as they would after a real partition that outlived their TCP timeouts.
 *
 * <p>Threads: one acceptor, and per connection one reader and one writer per direction. The
 * mode fields are volatile and read by the readers; nothing else is shared but the connection set.
 */
public final class TcpProxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TcpProxy.class);

    /** What happens to bytes read on a connection. */
    public enum Mode { PASS, DROP_ALL, DROP_UPSTREAM, DROP_DOWNSTREAM }

    private final String name;
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile Mode mode = Mode.PASS;
    private volatile long delayMillis;
    private volatile boolean closed;

    /**
     * Starts a proxy listening on 127.0.0.1:{@code listenPort} (0 = any free port) forwarding to
     * {@code targetHost:targetPort}. The target need not be up: connections made while it is down
     * are closed at once, as a refused connect would be.
     */
    public TcpProxy(String name, int listenPort, String targetHost, int targetPort) throws IOException {
        this.name = name;
        this.target = new InetSocketAddress(targetHost, targetPort);
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort), 128);
        this.acceptor = new Thread(this::acceptLoop, "proxy-" + name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String name() {
        return name;
    }

    /** The port this proxy listens on. */
    public int port() {
        return server.getLocalPort();
    }

    public Mode mode() {
        return mode;
    }

    public long delayMillis() {
        return delayMillis;
    }

    /** Number of connections currently open through this proxy. */
    public int connections() {
        return links.size();
    }

    /** Forward everything, without delay; closes connections that lost bytes (see class doc). */
    public void pass() {
        mode = Mode.PASS;
        delayMillis = 0;
        for (Link l : links) {
            if (l.tainted) {
                l.close();
            }
        }
    }

    /** Drop every byte in both directions (connections stay open: a black hole). */
    public void partition() {
        mode = Mode.DROP_ALL;
    }

    /** Drop bytes from the dialer to the target only. */
    public void dropUpstream() {
        mode = Mode.DROP_UPSTREAM;
    }

    /** Drop bytes from the target back to the dialer only. */
    public void dropDownstream() {
        mode = Mode.DROP_DOWNSTREAM;
    }

    /** Hold every chunk for {@code millis} before forwarding it (0 = no delay). */
    public void delay(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("negative delay " + millis);
        }
        delayMillis = millis;
    }

    /** Closes every current connection abruptly (RST); new connections are accepted as usual. */
    public void reset() {
        for (Link l : links) {
            l.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        reset();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket in;
            try {
                in = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("proxy accept failed name={} error={}", name, e.toString());
                }
                return;
            }
            Socket out = new Socket();
            try {
                in.setTcpNoDelay(true);
                out.setTcpNoDelay(true);
                out.connect(target, 1000);
            } catch (IOException e) {
                // target down: behave like a refused connection
                closeQuietly(in, true);
                closeQuietly(out, true);
                continue;
            }
            Link link = new Link(in, out);
            links.add(link);
            if (closed) {
                link.close();
                return;
            }
            link.start();
        }
    }

    private boolean drops(boolean upstream) {
        Mode m = mode;
        return m == Mode.DROP_ALL || (upstream ? m == Mode.DROP_UPSTREAM : m == Mode.DROP_DOWNSTREAM);
    }

    private static void closeQuietly(Socket s, boolean rst) {
        try {
            if (rst && !s.isClosed()) {
                s.setSoLinger(true, 0);
            }
        } catch (SocketException ignored) {
            // best effort
        }
        try {
            s.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Bytes to forward at {@code dueNanos}; null bytes mark the end of the stream. */
    private record Chunk(long dueNanos, byte[] bytes) {
    }

    /** One proxied connection: the dialer's socket and ours to the target. */
    private final class Link {
        private final Socket dialer;
        private final Socket targetSide;
        private final AtomicBoolean closedOnce = new AtomicBoolean();
        private volatile boolean tainted;

        Link(Socket dialer, Socket targetSide) {
            this.dialer = dialer;
            this.targetSide = targetSide;
        }

        void start() {
            pump(dialer, targetSide, true);
            pump(targetSide, dialer, false);
        }

        private void pump(Socket from, Socket to, boolean upstream) {
            LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
            String dir = upstream ? "up" : "down";
            Thread reader = new Thread(() -> read(from, queue, upstream), "proxy-" + name + "-" + dir + "-r");
            Thread writer = new Thread(() -> write(to, queue), "proxy-" + name + "-" + dir + "-w");
            reader.setDaemon(true);
            writer.setDaemon(true);
            reader.start();
            writer.start();
        }

        private void read(Socket from, LinkedBlockingQueue<Chunk> queue, boolean upstream) {
            byte[] buf = new byte[16 * 1024];
            try {
                // not closed here: closing a socket's stream closes the socket, both directions
                InputStream in = from.getInputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (drops(upstream)) {
                        tainted = true;
                        continue;
                    }
                    byte[] copy = new byte[n];
                    System.arraycopy(buf, 0, copy, 0, n);
                    queue.add(new Chunk(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis), copy));
                }
                // orderly end of stream: the writer closes after forwarding what is still queued
                queue.add(new Chunk(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis), null));
                return;
            } catch (IOException e) {
                // connection closed or reset: fall through
            }
            close();
        }

        private void write(Socket to, LinkedBlockingQueue<Chunk> queue) {
            try {
                OutputStream out = to.getOutputStream();
                while (!closedOnce.get()) {
                    Chunk c = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (c == null) {
                        continue;
                    }
                    long wait = c.dueNanos() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    if (c.bytes() == null) {
                        break;
                    }
                    out.write(c.bytes());
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // closed: fall through
            }
            close();
        }

        void close() {
            if (closedOnce.compareAndSet(false, true)) {
                closeQuietly(dialer, true);
                closeQuietly(targetSide, true);
                links.remove(this);
            }
        }
    }

    @Override
    public String toString() {
        return "TcpProxy[" + name + " :" + port() + " -> " + target + " " + mode + " delay=" + delayMillis + "ms]";
    }
}
