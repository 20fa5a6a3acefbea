package io.chubby.client.internal.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.testkit.Await;
import io.chubby.testkit.TestCa;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.ConnectFuture;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.FilterEvent;
import org.apache.mina.filter.ssl.SslEvent;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.apache.mina.transport.socket.nio.NioSocketConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TlsFilter} in real MINA chains over loopback sockets: many threads writing on one
 * connection at once (records must leave in sequence order or the peer fails them), the handler
 * told SECURED before the first message, the peer's certificate visible to the server, and a
 * plaintext peer refused with a TLS error at the handler.
 */
class TlsFilterTest {
    @TempDir
    static Path dir;
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    private NioSocketAcceptor acceptor;
    private NioSocketConnector connector;
    private final ConcurrentLinkedQueue<Object> serverEvents = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Throwable> serverError = new AtomicReference<>();
    private final AtomicReference<String> peerName = new AtomicReference<>();

    @BeforeAll
    static void certificates() {
        TestCa ca = TestCa.create(dir, "ca");
        TlsFiles.Names names = new TlsFiles.Names("cert", "key", "ca", "password");
        TestCa.Issued server = ca.issue("server");
        TestCa.Issued client = ca.issue("client");
        serverContext = TlsFiles.context(server.cert(), server.key(), ca.caFile(), null, names);
        clientContext = TlsFiles.context(client.cert(), client.key(), ca.caFile(), null, names);
    }

    @AfterEach
    void tearDown() {
        if (connector != null) {
            connector.dispose(true);
        }
        if (acceptor != null) {
            acceptor.dispose(true);
        }
    }

    /** A server that records what it is told: SECURED events, byte counts of plaintext, errors. */
    private InetSocketAddress startServer(AtomicInteger bytes, ConcurrentLinkedQueue<ByteBuffer> data) throws Exception {
        acceptor = new NioSocketAcceptor(1);
        acceptor.getSessionConfig().setTcpNoDelay(true);
        acceptor.getFilterChain().addLast("tls", TlsFilter.server(serverContext, true, false));
        acceptor.setHandler(new IoHandlerAdapter() {
            @Override
            public void event(IoSession s, FilterEvent event) throws Exception {
                if (event == SslEvent.SECURED) {
                    serverEvents.add(event);
                    peerName.set(TlsFilter.tlsSession(s).getPeerCertificates()[0].toString());
                }
            }

            @Override
            public void messageReceived(IoSession s, Object message) {
                IoBuffer in = (IoBuffer) message;
                serverEvents.add("data");
                bytes.addAndGet(in.remaining());
                ByteBuffer copy = ByteBuffer.allocate(in.remaining());
                copy.put(in.buf()).flip();
                data.add(copy);
            }

            @Override
            public void exceptionCaught(IoSession s, Throwable cause) {
                serverError.compareAndSet(null, cause);
                s.closeNow();
            }
        });
        acceptor.bind(new InetSocketAddress("127.0.0.1", 0));
        return (InetSocketAddress) acceptor.getLocalAddress();
    }

    private IoSession connect(InetSocketAddress to) {
        connector = new NioSocketConnector(1);
        connector.getSessionConfig().setTcpNoDelay(true);
        connector.getFilterChain().addLast("tls", TlsFilter.client(clientContext, true));
        connector.setHandler(new IoHandlerAdapter());
        ConnectFuture cf = connector.connect(to, (s, f) -> s.setAttribute(TlsFilter.PEER_HOST, "127.0.0.1"));
        cf.awaitUninterruptibly();
        return cf.getSession();
    }

    @Test
    void manyThreadsWritingOnOneConnectionKeepEveryMessageWholeAndInOrderPerThread() throws Exception {
        AtomicInteger bytes = new AtomicInteger();
        ConcurrentLinkedQueue<ByteBuffer> data = new ConcurrentLinkedQueue<>();
        IoSession session = connect(startServer(bytes, data));
        int threads = 4;
        int perThread = 2_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    // 8 bytes: thread id and sequence number; the server checks both
                    session.write(IoBuffer.allocate(8).putInt(id).putInt(i).flip());
                }
            });
            w.start();
            writers.add(w);
        }
        go.countDown();
        for (Thread w : writers) {
            w.join();
        }
        Await.until("every message at the server", Duration.ofSeconds(20), () -> bytes.get() == threads * perThread * 8 || serverError.get() != null);
        assertEquals(null, serverError.get(), "the server opened every record");
        ByteBuffer all = ByteBuffer.allocate(bytes.get());
        data.forEach(all::put);
        all.flip();
        int[] next = new int[threads];
        while (all.hasRemaining()) {
            int id = all.getInt();
            int seq = all.getInt();
            assertEquals(next[id]++, seq, "thread " + id + "'s messages arrive in the order written");
        }
        for (int t = 0; t < threads; t++) {
            assertEquals(perThread, next[t]);
        }
        assertEquals(SslEvent.SECURED, serverEvents.peek(), "SECURED reaches the handler before any data");
        assertTrue(peerName.get().contains("CN=client"), peerName.get());
    }

    @Test
    void aPlaintextPeerIsRefusedWithATlsError() throws Exception {
        InetSocketAddress address = startServer(new AtomicInteger(), new ConcurrentLinkedQueue<>());
        try (Socket plain = new Socket(address.getAddress(), address.getPort())) {
            OutputStream out = plain.getOutputStream();
            out.write("hello, I speak no TLS\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            Await.until("the TLS error", Duration.ofSeconds(10), () -> serverError.get() != null);
        }
        assertNotNull(TlsFilter.tlsFailure(serverError.get()), "a TLS failure: " + serverError.get());
        assertTrue(TlsFilter.tlsFailure(serverError.get()) instanceof SSLException);
        assertTrue(serverEvents.isEmpty(), "nothing reached the handler but the error");
    }
}
