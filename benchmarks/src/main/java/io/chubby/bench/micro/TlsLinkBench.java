package io.chubby.bench.micro;

import io.chubby.bench.Certs;
import io.chubby.client.internal.tls.TlsFilter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilter;
import org.apache.mina.core.future.ConnectFuture;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.ssl.SslFilter;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.apache.mina.transport.socket.nio.NioSocketConnector;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One MINA connection on loopback, an echo server at the other end, and 100-byte messages (the
 * size of a Paxos accept or a KeepAlive): what TLS adds to a round trip and to a burst of 64
 * messages in flight. {@code mode}: {@code plain} (no TLS), {@code mina} (MINA 2.2's
 * {@code SslFilter} with its non-blocking pipeline, what the transport used before) and
 * {@code chubby} ({@link TlsFilter}, what it uses now). Both ends are mutual TLS 1.3 with ECDSA
 * P-256 certificates, as on the cell's peer links.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TlsLinkBench {
    @Param({"plain", "mina", "chubby"})
    public String mode;

    private static final int MESSAGE = 100;
    private static final int BURST = 64;

    private NioSocketAcceptor acceptor;
    private NioSocketConnector connector;
    private IoSession session;
    private final AtomicLong received = new AtomicLong();
    private volatile CompletableFuture<Void> arrived;
    private volatile long awaited;
    private final byte[] payload = new byte[MESSAGE];
    private Path dir;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        dir = Files.createTempDirectory("tls-link-bench");
        Certs certs = Certs.authority(dir).issue("server", "server").issue("client", "client");
        SSLContext serverCtx = Certs.sslContext(certs.ca(), certs.cert("server"), certs.key("server"));
        SSLContext clientCtx = Certs.sslContext(certs.ca(), certs.cert("client"), certs.key("client"));

        acceptor = new NioSocketAcceptor(1);
        acceptor.getSessionConfig().setTcpNoDelay(true);
        if (!mode.equals("plain")) {
            acceptor.getFilterChain().addLast("tls", filter(serverCtx, true));
        }
        acceptor.setHandler(new IoHandlerAdapter() {
            @Override
            public void messageReceived(IoSession s, Object message) {
                IoBuffer in = (IoBuffer) message;
                IoBuffer copy = IoBuffer.allocate(in.remaining());
                copy.put(in).flip();
                s.write(copy);
            }
        });
        acceptor.bind(new InetSocketAddress("127.0.0.1", 0));

        connector = new NioSocketConnector(1);
        connector.getSessionConfig().setTcpNoDelay(true);
        if (!mode.equals("plain")) {
            connector.getFilterChain().addLast("tls", filter(clientCtx, false));
        }
        connector.setHandler(new IoHandlerAdapter() {
            @Override
            public void messageReceived(IoSession s, Object message) {
                long total = received.addAndGet(((IoBuffer) message).remaining());
                CompletableFuture<Void> f = arrived;
                if (f != null && total >= awaited) {
                    f.complete(null);
                }
            }
        });
        ConnectFuture cf = connector.connect(acceptor.getLocalAddress());
        cf.awaitUninterruptibly();
        session = cf.getSession();
        roundTrip(); // the handshake
    }

    private IoFilter filter(SSLContext ctx, boolean server) {
        if (mode.equals("chubby")) {
            return server ? TlsFilter.server(ctx, true, false) : TlsFilter.client(ctx, true);
        }
        SslFilter f = new SslFilter(ctx);
        f.setEnabledProtocols("TLSv1.3");
        f.setUseNonBlockingPipeline(true);
        f.setNeedClientAuth(server);
        return f;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        session.closeNow().awaitUninterruptibly();
        connector.dispose(true);
        acceptor.dispose(true);
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    /** One 100-byte message to the echo server and back. */
    @Benchmark
    public long roundTrip() throws Exception {
        return send(1);
    }

    /** 64 messages of 100 bytes written back to back, until all 64 came back. */
    @Benchmark
    public long burst() throws Exception {
        return send(BURST);
    }

    private long send(int messages) throws Exception {
        CompletableFuture<Void> f = new CompletableFuture<>();
        awaited = received.get() + (long) messages * MESSAGE;
        arrived = f;
        for (int i = 0; i < messages; i++) {
            session.write(IoBuffer.wrap(payload.clone()));
        }
        if (received.get() >= awaited) {
            f.complete(null);
        }
        f.get(10, TimeUnit.SECONDS);
        return awaited;
    }
}
