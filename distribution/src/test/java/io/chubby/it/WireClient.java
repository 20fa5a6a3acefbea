package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.protocol.CloseRequest;
import io.chubby.protocol.Create;
import io.chubby.protocol.CreateSessionRequest;
import io.chubby.protocol.Frames;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.Hello;
import io.chubby.protocol.Invalidation;
import io.chubby.protocol.KeepAliveRequest;
import io.chubby.protocol.HelloReply;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The raw client protocol over a plain blocking Socket (no client library): frames per
 * {@link Frames}, {@code Hello} first, then {@code Request}s. Keeps the session id and epoch it
 * got from CreateSession so tests can send requests with altered ones. Responses that arrive for
 * another call id than the one awaited are kept for a later {@link #await(long)}. One thread.
 */
final class WireClient implements AutoCloseable {
    private static final int READ_TIMEOUT_MS = 15_000;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Map<Long, Response> early = new HashMap<>();
    final HelloReply hello;
    private long nextCallId = 1;
    long sessionId;
    long epoch;
    private WireClient keepAlive;

    WireClient(String address) {
        this(address, Frames.encode(Hello.newBuilder().setProtocolVersion(Frames.VERSION).setClientName("wire-test")
                .build().toByteArray()));
    }

    /**
     * Connects, sends {@code firstFrame} as it is (header included: any version, any Hello) and
     * reads the server's first frame as a HelloReply (a refusal carries {@code error}).
     */
    WireClient(String address, byte[] firstFrame) {
        int colon = address.lastIndexOf(':');
        try {
            socket = new Socket();
            socket.connect(new InetSocketAddress(address.substring(0, colon),
                    Integer.parseInt(address.substring(colon + 1))), 5_000);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            sendFrame(firstFrame);
            hello = HelloReply.parseFrom(readFrame());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens a connection to {@code address} and creates a session there. */
    static WireClient withSession(String address) {
        WireClient w = new WireClient(address);
        Response r = w.call(Request.newBuilder().setCreateSession(CreateSessionRequest.newBuilder()
                .setClientName("wire-test")));
        assertFalse(r.hasError(), r::toString);
        w.sessionId = r.getCreateSession().getSessionId();
        w.epoch = r.getCreateSession().getEpoch();
        assertTrue(w.sessionId != 0 && w.epoch != 0, r::toString);
        w.keepAlive = w.startKeepAlives(address);
        return w;
    }

    /**
     * Behaves like a real client's session: KeepAlives on a second connection from a daemon
     * thread, acknowledging every invalidation and event. Without it the master would rightly
     * hold every write on a node this session read until the session's lease ran out.
     */
    private WireClient startKeepAlives(String address) {
        WireClient k = new WireClient(address);
        k.sessionId = sessionId;
        k.epoch = epoch;
        Thread t = new Thread(() -> {
            List<Long> acks = new ArrayList<>();
            long eventSeq = 0;
            try {
                while (k.isOpen()) {
                    Response r = k.call(Request.newBuilder().setKeepAlive(KeepAliveRequest.newBuilder()
                            .addAllAckedInvalidations(acks).setAckedEventSeq(eventSeq)));
                    if (r.hasError()) {
                        return; // session over (or not the master any more): nothing left to keep alive
                    }
                    acks = r.getKeepAlive().getInvalidationsList().stream().map(Invalidation::getId).toList();
                    for (var e : r.getKeepAlive().getEventsList()) {
                        eventSeq = Math.max(eventSeq, e.getSeq());
                    }
                }
            } catch (RuntimeException | AssertionError e) {
                // the test closed the connection
            }
        }, "wire-keepalive-" + sessionId);
        t.setDaemon(true);
        t.start();
        return k;
    }

    /** Sends one request with this client's session id and epoch unless the builder sets them; returns its call id. */
    long send(Request.Builder b) {
        long id = nextCallId++;
        b.setCallId(id);
        if (b.getSessionId() == 0) {
            b.setSessionId(sessionId);
        }
        if (b.getEpoch() == 0) {
            b.setEpoch(epoch);
        }
        sendRaw(b.build().toByteArray());
        return id;
    }

    Response call(Request.Builder b) {
        return await(send(b));
    }

    /** The response to call {@code id} (a server frame with call id 0 is returned too: it answers an undecodable frame). */
    Response await(long id) {
        Response kept = early.remove(id);
        if (kept != null) {
            return kept;
        }
        while (true) {
            Response r;
            try {
                r = Response.parseFrom(readFrame());
            } catch (IOException e) {
                throw new UncheckedIOException("waiting for the answer to call " + id, e);
            }
            if (r.getCallId() == id || r.getCallId() == 0) {
                return r;
            }
            early.put(r.getCallId(), r);
        }
    }

    void sendRaw(byte[] message) {
        sendFrame(Frames.encode(message));
    }

    /** Writes {@code frame} as it is (header included), e.g. a frame of another version. */
    void sendFrame(byte[] frame) {
        try {
            out.write(frame);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True once the server has closed the connection (read returns end of stream or a reset). */
    boolean closedByServer() {
        try {
            return in.read() == -1;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private byte[] readFrame() throws IOException {
        int len = in.readInt();
        byte[] rest = new byte[len];
        in.readFully(rest);
        assertEquals(Frames.VERSION, ((rest[0] & 0xff) << 8) | (rest[1] & 0xff), "frame version");
        byte[] msg = new byte[len - 2];
        System.arraycopy(rest, 2, msg, 0, msg.length);
        return msg;
    }

    // ---- request builders ----

    static Request.Builder open(String path, int modeBits, Create create) {
        return Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(path).setModeBits(modeBits)
                .setCreate(create));
    }

    static Request.Builder getContents(byte[] handle) {
        return Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(ByteString.copyFrom(handle)));
    }

    static Request.Builder close(byte[] handle) {
        return Request.newBuilder().setClose(CloseRequest.newBuilder().setHandle(ByteString.copyFrom(handle)));
    }

    /** Opens {@code path} and returns the handle bytes (asserting success). */
    byte[] openHandle(String path, int modeBits, Create create) {
        Response r = call(open(path, modeBits, create));
        assertFalse(r.hasError(), () -> "open " + path + ": " + r);
        return r.getOpen().getHandle().toByteArray();
    }

    /** Asserts that {@code r} is the error {@code code}. */
    static Response assertError(ErrorCode code, Response r) {
        assertTrue(r.hasError(), () -> "expected " + code + " but got a success: " + r);
        assertEquals(code, ErrorCode.fromWire(r.getError().getCode()), r::toString);
        assertFalse(r.getError().getMessage().isBlank(), () -> "the error names its cause: " + r);
        return r;
    }

    static Response assertOk(Response r) {
        assertFalse(r.hasError(), r::toString);
        return r;
    }

    boolean isOpen() {
        return !socket.isClosed();
    }

    @Override
    public void close() {
        if (keepAlive != null) {
            keepAlive.close();
        }
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test socket: nothing to do
        }
    }
}
