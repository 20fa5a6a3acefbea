package io.chubby.cell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.protocol.CreateSessionRequest;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.spi.RequestHandler;
import io.chubby.testkit.CapturingConnection;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Drives a CellServer (or a CellHost) with real protobuf requests, the way the transport does. */
final class TestClient {
    final RequestHandler server;
    final CapturingConnection conn;
    long callId;
    long session;
    long epoch;

    TestClient(RequestHandler server) {
        this(server, new CapturingConnection());
    }

    /** A client on a given connection (e.g. one the transport authenticated as some principal). */
    TestClient(RequestHandler server, CapturingConnection conn) {
        this.server = server;
        this.conn = conn;
    }

    Response call(Request.Builder req) {
        long id = ++callId;
        server.request(conn, req.setCallId(id).setSessionId(req.getSessionId() == 0 ? session : req.getSessionId())
                .setEpoch(req.getEpoch() == 0 ? epoch : req.getEpoch()).build().toByteArray());
        // Admin commands run on their own executor: wait for that answer; everything else is
        // answered before request() returns (the fake consensus applies on this thread).
        Response r = req.hasAdmin() ? awaitResponse(id) : conn.forCall(id);
        assertNotNull(r, "no response to call " + id);
        return r;
    }

    /**
     * Sends a call whose answer may come later (a directory intent), runs {@code meanwhile} (e.g.
     * timer steps of the masters that complete it), then returns the answer (null: none yet).
     */
    Response callAcross(Request.Builder req, Runnable meanwhile) {
        long id = ++callId;
        server.request(conn, req.setCallId(id).setSessionId(req.getSessionId() == 0 ? session : req.getSessionId())
                .setEpoch(req.getEpoch() == 0 ? epoch : req.getEpoch()).build().toByteArray());
        meanwhile.run();
        return conn.forCall(id);
    }

    private Response awaitResponse(long id) {
        try {
            return conn.response(id).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for call " + id, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("no response to call " + id, e);
        }
    }

    Response ok(Request.Builder req) {
        Response r = call(req);
        assertFalse(r.hasError(), () -> "unexpected error " + r.getError());
        return r;
    }

    static void assertError(ErrorCode code, Response r) {
        assertTrue(r.hasError(), () -> "expected " + code + " but got " + r);
        assertEquals(code.wire(), r.getError().getCode(), r.getError().getMessage());
    }

    long createSession() {
        Response r = ok(Request.newBuilder().setCreateSession(CreateSessionRequest.newBuilder().setClientName("t")));
        session = r.getCreateSession().getSessionId();
        epoch = r.getCreateSession().getEpoch();
        return session;
    }

    Response open(String path, int modeBits, io.chubby.protocol.Create create, boolean dir, boolean eph,
                  String contents) {
        return call(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(path).setModeBits(modeBits)
                .setCreate(create).setDirectory(dir).setEphemeral(eph)
                .setInitialContents(ByteString.copyFrom(contents == null ? "" : contents, StandardCharsets.UTF_8))));
    }

    ByteString handle(String path, int modeBits, io.chubby.protocol.Create create, boolean dir, boolean eph,
                      String contents) {
        Response r = open(path, modeBits, create, dir, eph, contents);
        assertFalse(r.hasError(), () -> "open failed " + r.getError());
        return r.getOpen().getHandle();
    }
}
