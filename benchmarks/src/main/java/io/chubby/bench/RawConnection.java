package io.chubby.bench;

import io.chubby.protocol.Frames;
import io.chubby.protocol.Hello;
import io.chubby.protocol.HelloReply;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One TCP connection to a replica speaking the raw client protocol (Frames + Hello + Request),
 * carrying calls of any number of sessions: the load generator's multiplexer. Calls are matched to
 * responses by call id. A reader thread owns the input stream; writers serialize on the output.
 * With a {@link Login} the connection is TLS (the JDK's SSLSocket; the replica's certificate is
 * checked against the CA and its IP address) and the Hello carries the user and password.
 */
final class RawConnection implements AutoCloseable {
    /**
     * How a secured load generator connects: TLS with {@code ssl} (trusting the cell's CA) and,
     * when {@code user} is not null, a password login in the Hello.
     */
    record Login(SSLContext ssl, String user, String password) {
    }

    private final Socket socket;
    private final String principal;
    private final OutputStream out;
    private final DataInputStream in;
    private final Map<Long, CompletableFuture<Response>> pending = new ConcurrentHashMap<>();
    private final AtomicLong callIds = new AtomicLong();
    private final Thread reader;
    private volatile boolean closed;

    RawConnection(String address) throws IOException {
        this(address, null);
    }

    /** {@code login}: null for a plaintext connection with an anonymous Hello. */
    RawConnection(String address, Login login) throws IOException {
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        int port = Integer.parseInt(address.substring(colon + 1));
        Socket plain = new Socket();
        plain.setTcpNoDelay(true);
        plain.connect(new InetSocketAddress(host, port), 5000);
        if (login != null) {
            SSLSocket tls = (SSLSocket) login.ssl().getSocketFactory().createSocket(plain, host, port, true);
            SSLParameters p = tls.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS"); // the replica's certificate must name 127.0.0.1
            tls.setSSLParameters(p);
            tls.setUseClientMode(true);
            tls.startHandshake();
            socket = tls;
        } else {
            socket = plain;
        }
        out = new java.io.BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024));
        Hello.Builder hello = Hello.newBuilder().setProtocolVersion(Frames.VERSION).setClientName("bench-loadgen");
        if (login != null && login.user() != null) {
            hello.setUser(login.user()).setPassword(login.password());
        }
        send(hello.build().toByteArray());
        HelloReply reply = HelloReply.parseFrom(readFrame());
        if (reply.hasError()) {
            socket.close();
            throw new IOException("Hello refused by " + address + ": " + reply.getError().getMessage());
        }
        principal = reply.getPrincipal();
        reader = new Thread(this::readLoop, "raw-reader-" + address);
        reader.setDaemon(true);
        reader.start();
    }

    private synchronized void send(byte[] msg) throws IOException {
        out.write(Frames.encode(msg));
        out.flush();
    }

    private byte[] readFrame() throws IOException {
        int len = in.readInt();
        byte[] frame = new byte[4 + len];
        ByteBuffer.wrap(frame).putInt(len);
        in.readFully(frame, 4, len);
        try {
            return Frames.decode(ByteBuffer.wrap(frame), Frames.DEFAULT_MAX_MESSAGE * 4);
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private void readLoop() {
        try {
            while (!closed) {
                Response r = Response.parseFrom(readFrame());
                CompletableFuture<Response> f = pending.remove(r.getCallId());
                if (f != null) {
                    f.complete(r);
                }
            }
        } catch (IOException e) {
            IOException failure = closed ? new IOException("connection closed") : e;
            pending.values().forEach(f -> f.completeExceptionally(failure));
            pending.clear();
        }
    }

    /** Sends one request (call id filled in here); the future completes with its Response, errors included. */
    CompletableFuture<Response> call(Request.Builder request) {
        long id = callIds.incrementAndGet();
        CompletableFuture<Response> f = new CompletableFuture<>();
        pending.put(id, f);
        try {
            send(request.setCallId(id).build().toByteArray());
        } catch (IOException e) {
            pending.remove(id);
            f.completeExceptionally(e);
        }
        return f;
    }

    /** The principal the replica bound this connection to ("anonymous" when not authenticated). */
    String principal() {
        return principal;
    }

    boolean isClosed() {
        return closed || socket.isClosed() || !reader.isAlive();
    }

    int pendingCount() {
        return pending.size();
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
