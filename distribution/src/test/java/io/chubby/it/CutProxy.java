package io.chubby.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 in front of one port that can cut the link of some of its clients and
 * not of others: {@link #keepCurrent()} marks the connections open now as kept (the test's own
 * client), {@link #cut()} turns every other connection, and every new one, into a black hole (bytes
 * dropped both ways, sockets left open, as a network partition), {@link #heal()} closes the
 * connections that lost bytes (a TCP stream with a hole is desynchronised for good; the endpoints
 * reconnect as after a real partition) and lets new ones through again. Unlike tools/faults'
 * TcpProxy it spares the kept connections, so that the test can keep writing to the source cell
 * while the mirror of the other cell is cut off from it. Threads: an acceptor and two pumps per
 * connection, all daemons.
 */
final class CutProxy implements AutoCloseable {
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile boolean closed;

    CutProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "cut-proxy-" + targetPort);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** The connections open now are never cut. */
    void keepCurrent() {
        links.forEach(l -> l.kept = true);
    }

    /** Every connection not kept, and every new one, loses all its bytes from now on. */
    void cut() {
        cut = true;
    }

    /** Connections that lost bytes are closed; new connections pass again. */
    void heal() {
        cut = false;
        links.stream().filter(l -> l.tainted).forEach(Link::close);
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        links.forEach(Link::close);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket in = server.accept();
                Socket out = new Socket();
                try {
                    out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 1000);
                } catch (IOException e) {
                    in.close(); // target down: as a refused connection
                    continue;
                }
                Link link = new Link(in, out);
                links.add(link);
                link.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** One proxied connection. */
    private final class Link {
        private final Socket dialer;
        private final Socket upstream;
        volatile boolean kept;
        volatile boolean tainted;

        Link(Socket dialer, Socket upstream) {
            this.dialer = dialer;
            this.upstream = upstream;
        }

        void start() throws IOException {
            pump(dialer.getInputStream(), upstream.getOutputStream());
            pump(upstream.getInputStream(), dialer.getOutputStream());
        }

        private void pump(InputStream in, OutputStream out) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16 * 1024];
                try {
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        if (cut && !kept) {
                            tainted = true;
                            continue;
                        }
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException e) {
                    // one side closed or reset: close both
                }
                close();
            }, "cut-proxy-pump-" + targetPort);
            t.setDaemon(true);
            t.start();
        }

        void close() {
            links.remove(this);
            for (Socket s : new Socket[] {dialer, upstream}) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }
}
