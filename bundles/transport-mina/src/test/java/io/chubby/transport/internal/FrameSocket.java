package io.chubby.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.chubby.protocol.Frames;
import io.chubby.protocol.Hello;
import io.chubby.protocol.HelloReply;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/** A blocking test client speaking raw frames, so tests can also send what no real client would. */
final class FrameSocket implements Closeable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private FrameSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static FrameSocket connect(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        s.setSoTimeout(5000);
        s.setTcpNoDelay(true);
        s.connect(address, 2000);
        return new FrameSocket(s);
    }

    /** A TLS 1.3 connection; the handshake runs now (in TLS 1.3 a refused client certificate shows on the first read). */
    static FrameSocket connectTls(InetSocketAddress address, javax.net.ssl.SSLContext context) throws IOException {
        Socket plain = new Socket();
        plain.setSoTimeout(5000);
        plain.setTcpNoDelay(true);
        plain.connect(address, 2000);
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket(plain,
                address.getHostString(), address.getPort(), true);
        s.setEnabledProtocols(new String[] {"TLSv1.3"});
        s.setUseClientMode(true);
        try {
            s.startHandshake();
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new FrameSocket(s);
    }

    /** A Hello with credentials. */
    HelloReply hello(String user, String password) throws IOException {
        writeFrame(Hello.newBuilder().setProtocolVersion(Frames.VERSION).setClientName("test").setUser(user)
                .setPassword(password).build().toByteArray());
        return HelloReply.parseFrom(readFrame());
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void writeFrame(byte[] message) throws IOException {
        writeRaw(Frames.encode(message));
    }

    /** A frame header with any length and version, followed by {@code body}. */
    void writeHeader(int length, int version, byte[] body) throws IOException {
        writeRaw(ByteBuffer.allocate(6 + body.length).putInt(length).putShort((short) version).put(body).array());
    }

    byte[] readFrame() throws IOException {
        int len = in.readInt();
        int version = in.readUnsignedShort();
        assertEquals(Frames.VERSION, version, "frame version from server");
        byte[] m = new byte[len - 2];
        in.readFully(m);
        return m;
    }

    HelloReply hello() throws IOException {
        writeFrame(Hello.newBuilder().setProtocolVersion(Frames.VERSION).setClientName("test").build().toByteArray());
        return HelloReply.parseFrom(readFrame());
    }

    /** Sends one message and expects it echoed back. */
    void roundTrip(byte[] message) throws IOException {
        writeFrame(message);
        org.junit.jupiter.api.Assertions.assertArrayEquals(message, readFrame());
    }

    /** Fails unless the server closes this connection within the socket timeout. */
    void assertClosedByServer() {
        try {
            int r = in.read();
            while (r != -1) {
                r = in.read();
            }
        } catch (SocketTimeoutException e) {
            fail("server did not close the connection within " + timeoutMs() + " ms");
        } catch (SocketException e) {
            // connection reset: the server closed with our unread bytes pending, which is a close too
        } catch (IOException e) {
            fail(e);
        }
    }

    /** Fails unless the server closes this connection without sending a byte (a peer is never answered). */
    void assertClosedWithoutAnswer() {
        try {
            assertEquals(-1, in.read(), "the server answered before closing");
        } catch (SocketTimeoutException e) {
            fail("server did not close the connection within " + timeoutMs() + " ms");
        } catch (SocketException e) {
            // connection reset: closed with our unread bytes pending, and nothing was sent
        } catch (IOException e) {
            fail(e);
        }
    }

    private int timeoutMs() {
        try {
            return socket.getSoTimeout();
        } catch (SocketException e) {
            return -1;
        }
    }

    /** Ends the connection with a reset (RST, not FIN), as when the process dies with unread input or is killed. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
