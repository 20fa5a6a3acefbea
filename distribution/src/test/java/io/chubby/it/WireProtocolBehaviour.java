package io.chubby.it;

import static io.chubby.it.WireClient.assertError;
import static io.chubby.it.WireClient.assertOk;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.protocol.AcquireRequest;
import io.chubby.protocol.CloseSessionRequest;
import io.chubby.protocol.Create;
import io.chubby.protocol.Frames;
import io.chubby.protocol.Hello;
import io.chubby.protocol.GetSequencerRequest;
import io.chubby.protocol.CheckSequencerRequest;
import io.chubby.protocol.LockInfoRequest;
import io.chubby.protocol.LockModeKind;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.ReleaseRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetContentsRequest;
import io.chubby.protocol.SetSequencerRequest;
import io.chubby.protocol.StatusRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The cell's answers to a client speaking the raw protocol (no client library, so nothing is
 * checked or retried locally): forged, altered, foreign, replayed and stale handles are
 * BAD_HANDLE and the replica keeps serving; WRONG_EPOCH with the master's location; unknown and
 * closed sessions; undecodable frames; invalid names and oversized contents; the lock errors
 * CANCELLED and STALE_SEQUENCER; compatibility: a version-1 client's hand-encoded frames are
 * served, a newer client's version, fields and calls get typed answers. Run with the file API
 * suite it extends, on a cell of one partition (the raw client speaks to the master of group 0). Handle layout (session-mgr README): u8 version | i64 session |
 * i64 handle id | u8 1, i32 len, path | i64 instance | i32 mode | i64 epoch | 16 check bytes.
 */
abstract class WireProtocolBehaviour extends FileApiBehaviour {
    static final int READ = 1;
    static final int WRITE = 2;
    private static final int MAX_CONTENTS = 256 * 1024;

    /** The master's client address. */
    protected String master() {
        return masterStatus().address();
    }

    @Test
    @Order(100)
    void forgedAlteredForeignReplayedAndStaleHandlesAreBadHandle() {
        String f = dir("wire-handles") + "/f";
        client.write(f, "secret".getBytes(StandardCharsets.UTF_8));
        try (WireClient a = WireClient.withSession(master()); WireClient b = WireClient.withSession(master())) {
            byte[] h = a.openHandle(f, READ, Create.CREATE_NO);
            assertEquals("secret", contents(a.call(WireClient.getContents(h))));
            int pathLen = ByteBuffer.wrap(h, 18, 4).getInt();
            int instanceAt = 22 + pathLen;
            int modeAt = instanceAt + 8;

            // (a) a flipped bit in the check digits, and in the issuing epoch
            assertError(ErrorCode.BAD_HANDLE, a.call(WireClient.getContents(flip(h, h.length - 1))));
            assertError(ErrorCode.BAD_HANDLE, a.call(WireClient.getContents(flip(h, modeAt + 4 + 7))));
            // (b) another handle id, another node instance, a mode escalated to WRITE, truncated, garbage
            assertError(ErrorCode.BAD_HANDLE, a.call(WireClient.getContents(flip(h, 16))));
            assertError(ErrorCode.BAD_HANDLE, a.call(WireClient.getContents(flip(h, instanceAt + 7))));
            byte[] escalated = h.clone();
            ByteBuffer.wrap(escalated).putInt(modeAt, READ | WRITE);
            assertError(ErrorCode.BAD_HANDLE, a.call(setContents(escalated, "pwned")));
            assertError(ErrorCode.BAD_HANDLE, a.call(WireClient.getContents(Arrays.copyOf(h, 20))));
            assertError(ErrorCode.BAD_HANDLE, a.call(WireClient.getContents("not a handle".getBytes())));
            // (c) the genuine bytes from another session; that session's Close must not close it
            assertError(ErrorCode.BAD_HANDLE, b.call(WireClient.getContents(h)));
            assertOk(b.call(WireClient.close(h)));
            assertEquals("secret", contents(a.call(WireClient.getContents(h))), "the owner's handle still works");
            assertEquals("secret", new String(client.read(f), StandardCharsets.UTF_8), "nothing was written");

            // (d) replay of a closed handle; Close of closed or garbage handles never fails
            assertOk(a.call(WireClient.close(h)));
            assertError(ErrorCode.BAD_HANDLE, a.call(WireClient.getContents(h)));
            assertError(ErrorCode.BAD_HANDLE, a.call(WireClient.getContents(h)));
            assertOk(a.call(WireClient.close(h)));
            assertOk(a.call(WireClient.close(flip(h, h.length - 1))));
            assertOk(a.call(WireClient.close(new byte[] {1, 2, 3})));

            // stale: the node is deleted and the name re-created
            byte[] old = a.openHandle(f, READ, Create.CREATE_NO);
            client.delete(f);
            client.write(f, "reborn".getBytes(StandardCharsets.UTF_8));
            assertError(ErrorCode.BAD_HANDLE, a.call(WireClient.getContents(old)));

            // the replica keeps serving on the same connection and on new ones
            byte[] fresh = a.openHandle(f, READ, Create.CREATE_NO);
            assertEquals("reborn", contents(a.call(WireClient.getContents(fresh))));
            try (WireClient c = new WireClient(master())) {
                assertTrue(assertOk(c.call(Request.newBuilder().setStatus(StatusRequest.getDefaultInstance())))
                        .getStatus().getAppliedIndex() > 0);
            }
        }
    }

    @Test
    @Order(101)
    void wrongEpochUnknownAndClosedSessions() {
        String f = dir("wire-sessions") + "/f";
        client.write(f, "x".getBytes());
        String master = master();
        try (WireClient a = WireClient.withSession(master)) {
            byte[] h = a.openHandle(f, READ, Create.CREATE_NO);
            Response r = assertError(ErrorCode.WRONG_EPOCH, a.call(WireClient.getContents(h).setEpoch(a.epoch + 1000)));
            assertTrue(r.hasMaster(), r::toString);
            assertEquals(master, r.getMaster().getMasterAddress(), r::toString);
            assertEquals(a.epoch, r.getMaster().getEpoch(), r::toString);
            assertEquals(replicas(), r.getMaster().getReplicasCount(), r::toString);
            // a write with a wrong epoch changes nothing
            assertError(ErrorCode.WRONG_EPOCH, a.call(WireClient.open(f + "-new", READ | WRITE, Create.CREATE_MUST)
                    .setEpoch(a.epoch + 1)));
            assertFalse(client.exists(f + "-new"));

            assertError(ErrorCode.SESSION_EXPIRED, a.call(WireClient.getContents(h).setSessionId(a.sessionId + 1_000_000)));
            assertError(ErrorCode.SESSION_EXPIRED, a.call(WireClient.open(f, READ, Create.CREATE_NO)
                    .setSessionId(0x7eadbeefL)));
            try (WireClient noSession = new WireClient(master)) {
                noSession.epoch = a.epoch;
                assertError(ErrorCode.SESSION_EXPIRED, noSession.call(WireClient.open(f, READ, Create.CREATE_NO)));
            }
            assertOk(a.call(Request.newBuilder().setCloseSession(CloseSessionRequest.getDefaultInstance())));
            assertError(ErrorCode.SESSION_EXPIRED, a.call(WireClient.getContents(h)));
        }
    }

    @Test
    @Order(102)
    void undecodableFramesInvalidNamesAndOversizedContents() {
        String d = dir("wire-args");
        try (WireClient a = WireClient.withSession(master())) {
            a.sendRaw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            Response garbage = a.await(-1);
            assertEquals(0, garbage.getCallId(), garbage::toString);
            assertError(ErrorCode.PROTOCOL_ERROR, garbage);
            assertError(ErrorCode.INVALID_ARGUMENT, a.call(Request.newBuilder()));

            for (String bad : new String[] {d + "/bad*char", d + "//x", d + "/./x", d + "/../x", d + "/" + "n".repeat(256),
                    "/ls/othercell/x", "/notls/local/x", "relative/without/dir"}) {
                assertError(ErrorCode.INVALID_ARGUMENT, a.call(WireClient.open(bad, READ | WRITE, Create.CREATE_MAY)));
            }
            assertOk(a.call(WireClient.open(d + "/" + "n".repeat(255), READ | WRITE, Create.CREATE_MUST)));
            assertEquals(1, client.list(d).size(), "only the valid name was created");

            // relative opens cannot escape their directory, nor use a forged directory handle
            byte[] dh = a.openHandle(d, READ, Create.CREATE_NO);
            for (String bad : new String[] {"../escape", "./x", "x/../../y", "/ls/local/abs", "bad*char"}) {
                assertError(ErrorCode.INVALID_ARGUMENT, a.call(relative(dh, bad)));
            }
            assertError(ErrorCode.BAD_HANDLE, a.call(relative(flip(dh, dh.length - 1), "x")));
            assertOk(a.call(relative(dh, "ok")));
            assertEquals(2, client.list(d).size(), "only the valid relative name was created");

            byte[] h = a.openHandle(d + "/f", READ | WRITE, Create.CREATE_MUST);
            assertOk(a.call(setContents(h, "before")));
            Response before = assertOk(a.call(WireClient.getContents(h)));
            assertError(ErrorCode.TOO_LARGE, a.call(setContents(h, "x".repeat(MAX_CONTENTS + 1))));
            Response now = assertOk(a.call(WireClient.getContents(h)));
            assertEquals(before.getGetContents(), now.getGetContents(), "contents and metadata unchanged");
            Response big = a.call(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(d + "/big")
                    .setModeBits(READ | WRITE).setCreate(Create.CREATE_MUST)
                    .setInitialContents(ByteString.copyFrom(new byte[MAX_CONTENTS + 1]))));
            assertError(ErrorCode.TOO_LARGE, big);
            assertFalse(client.exists(d + "/big"));
        }
    }

    @Test
    @Order(103)
    void lockWaitCancelledByReleaseAndStaleSequencer() {
        String lock = dir("wire-locks") + "/lock";
        try (WireClient a = WireClient.withSession(master()); WireClient b = WireClient.withSession(master())) {
            byte[] ha = a.openHandle(lock, READ | WRITE, Create.CREATE_MAY);
            byte[] hb = b.openHandle(lock, READ | WRITE, Create.CREATE_NO);
            Response first = assertOk(a.call(acquire(ha, false)));
            assertTrue(first.getAcquire().getAcquired(), first::toString);
            byte[] seq = assertOk(a.call(Request.newBuilder().setGetSequencer(GetSequencerRequest.newBuilder()
                    .setHandle(ByteString.copyFrom(ha))))).getSequencer().getSequencer().toByteArray();

            long waiting = b.send(acquire(hb, false));
            poll("b's Acquire queued", () -> assertOk(a.call(Request.newBuilder().setLockInfo(LockInfoRequest.newBuilder()
                    .setHandle(ByteString.copyFrom(ha))))).getLockInfo().getWaitersCount() == 1 ? true : null, 10_000);
            long release = b.send(Request.newBuilder().setRelease(ReleaseRequest.newBuilder().setHandle(ByteString.copyFrom(hb))));
            assertError(ErrorCode.CANCELLED, b.await(waiting));
            assertOk(b.await(release));

            assertOk(a.call(Request.newBuilder().setRelease(ReleaseRequest.newBuilder().setHandle(ByteString.copyFrom(ha)))));
            Response second = assertOk(a.call(acquire(ha, true)));
            assertTrue(second.getAcquire().getAcquired(), second::toString);
            assertTrue(second.getAcquire().getLockGeneration() > first.getAcquire().getLockGeneration(), second::toString);

            Response check = assertOk(b.call(Request.newBuilder().setCheckSequencer(CheckSequencerRequest.newBuilder()
                    .setSequencer(ByteString.copyFrom(seq)))));
            assertFalse(check.getCheckSequencer().getValid(), check::toString);
            assertError(ErrorCode.STALE_SEQUENCER, b.call(Request.newBuilder().setSetSequencer(SetSequencerRequest
                    .newBuilder().setHandle(ByteString.copyFrom(hb)).setSequencer(ByteString.copyFrom(seq)))));
            assertOk(a.call(Request.newBuilder().setRelease(ReleaseRequest.newBuilder().setHandle(ByteString.copyFrom(ha)))));
        }
    }

    /**
     * A name reached relative to a directory handle obeys the SPEC section 2 rules of absolute
     * names: components are 1-255 bytes, so "x//y" and "trailing/" are INVALID_ARGUMENT as the
     * absolute "/ls/local/a//b" is (CellProcessIT), not silently normalised. (The Java client
     * rejects them before sending; only a raw-protocol client reaches the server with them.)
     */
    @Test
    @Order(104)
    void relativeNamesHaveNoEmptyComponents() {
        String d = dir("wire-relative");
        try (WireClient a = WireClient.withSession(master())) {
            byte[] dh = a.openHandle(d, READ, Create.CREATE_NO);
            client.mkdir(d + "/x");
            Response doubleSlash = a.call(relative(dh, "x//y"));
            Response trailing = a.call(relative(dh, "trailing/"));
            assertAll(() -> assertError(ErrorCode.INVALID_ARGUMENT, doubleSlash),
                    () -> assertError(ErrorCode.INVALID_ARGUMENT, trailing),
                    () -> assertEquals(List.of("x"), FileApiBehaviour.names(client.list(d)), "nothing created"),
                    () -> assertTrue(client.list(d + "/x").isEmpty(), "nothing created"));
        }
    }

    /** A relative name cannot make a whole name longer than 4 KiB (else no absolute Open could name the node). */
    @Test
    @Order(105)
    void relativeNamesObeyTheFourKibLimit() {
        String d = dir("wire-long");
        try (WireClient a = WireClient.withSession(master())) {
            byte[] dh = a.openHandle(d, READ, Create.CREATE_NO);
            String name = "n".repeat(255);
            String full = d;
            byte[] h = dh;
            while ((full + "/" + name).length() <= 4096) {
                full = full + "/" + name;
                Response r = assertOk(a.call(relativeDir(h, name)));
                h = r.getOpen().getHandle().toByteArray();
                assertOk(a.call(WireClient.open(full, READ, Create.CREATE_NO))); // reachable by its absolute name
            }
            String tooLong = full + "/" + name;
            assertError(ErrorCode.INVALID_ARGUMENT, a.call(WireClient.open(tooLong, READ | WRITE, Create.CREATE_MAY)));
            Response viaHandle = a.call(relativeDir(h, name));
            assertError(ErrorCode.INVALID_ARGUMENT, viaHandle); // a name of tooLong.length() > 4096 bytes
        }
    }

    /**
     * Compatibility (docs/PROTOCOL.md): the frames of a version-1 client, encoded by hand from the
     * field numbers that version published and carrying none of the fields added since, are still
     * served: location, session, open with create and events, compare-and-swap, read, locks and
     * sequencers, KeepAlive with its acknowledgements (a held one ended by CloseSession).
     */
    @Test
    @Order(106)
    void aVersionOneClientsFramesAreStillServed() {
        String f = dir("wire-v1") + "/f";
        String master = master();
        try (WireClient v1 = new WireClient(master, Frames.encode(VersionOneFrames.HELLO))) {
            assertFalse(v1.hello.hasError(), v1.hello::toString);
            assertEquals(Frames.VERSION, v1.hello.getProtocolVersion(), v1.hello::toString);
            // MasterLocation = 10 (no session, epoch 0: any)
            Response loc = assertOk(v1Call(v1, 1001, 0, 0, 10, VersionOneFrames.message()));
            assertEquals(master, loc.getMasterLocation().getMasterAddress(), loc::toString);
            long epoch = loc.getMasterLocation().getEpoch();
            // CreateSession = 11 {client_name = 1}
            Response created = assertOk(v1Call(v1, 1002, 0, epoch, 11, VersionOneFrames.message().string(1, "v1-client")));
            long session = created.getCreateSession().getSessionId();
            assertTrue(session != 0 && created.getCreateSession().getLeaseMs() > 0, created::toString);
            assertEquals(epoch, created.getCreateSession().getEpoch(), created::toString);
            // Open = 14 {path 1, mode_bits 3 = READ|WRITE, create 4 = CREATE_MUST, initial_contents 7,
            // event_mask 11 = 1 << CONTENTS_MODIFIED (0)}
            Response opened = assertOk(v1Call(v1, 1003, session, epoch, 14, VersionOneFrames.message().string(1, f)
                    .varint(3, 3).varint(4, 2).bytes(7, "v1 created".getBytes(StandardCharsets.UTF_8)).varint(11, 1)));
            assertTrue(opened.getOpen().getCreated(), opened::toString);
            byte[] h = opened.getOpen().getHandle().toByteArray();
            long generation = opened.getOpen().getStat().getContentGeneration();
            // SetContents = 19 {handle 1, contents 2, cas 3, expected_generation 4}: at the generation, then at the old one
            Response written = assertOk(v1Call(v1, 1004, session, epoch, 19, VersionOneFrames.message().bytes(1, h)
                    .string(2, "v1 wrote this").varint(3, 1).varint(4, generation)));
            assertEquals(generation + 1, written.getSetContents().getStat().getContentGeneration(), written::toString);
            assertError(ErrorCode.CAS_MISMATCH, v1Call(v1, 1005, session, epoch, 19, VersionOneFrames.message()
                    .bytes(1, h).string(2, "lost").varint(3, 1).varint(4, generation)));
            // GetContents = 16 {handle 1}; the Java client reads the same
            assertEquals("v1 wrote this", contents(v1Call(v1, 1006, session, epoch, 16, VersionOneFrames.message().bytes(1, h))));
            assertEquals("v1 wrote this", new String(client.read(f), StandardCharsets.UTF_8));
            // Acquire = 22 {handle 1, mode 2 (EXCLUSIVE = 0), try_only 3}, GetSequencer = 24, CheckSequencer = 25 {sequencer 1}
            Response locked = assertOk(v1Call(v1, 1007, session, epoch, 22, VersionOneFrames.message().bytes(1, h).varint(3, 1)));
            assertTrue(locked.getAcquire().getAcquired(), locked::toString);
            byte[] seq = assertOk(v1Call(v1, 1008, session, epoch, 24, VersionOneFrames.message().bytes(1, h)))
                    .getSequencer().getSequencer().toByteArray();
            assertTrue(assertOk(v1Call(v1, 1009, session, epoch, 25, VersionOneFrames.message().bytes(1, seq)))
                    .getCheckSequencer().getValid());
            assertTrue(client.checkSequencer(seq).valid(), "the Java client accepts a v1 client's sequencer");
            // Release = 23 {handle 1}
            assertOk(v1Call(v1, 1010, session, epoch, 23, VersionOneFrames.message().bytes(1, h)));
            // KeepAlive = 12: the CONTENTS_MODIFIED event of our write is queued, so it returns at once
            Response ka = assertOk(v1Call(v1, 1011, session, epoch, 12, VersionOneFrames.message()));
            assertTrue(ka.getKeepAlive().getLeaseMs() > 0, ka::toString);
            assertEquals(epoch, ka.getKeepAlive().getEpoch(), ka::toString);
            var event = ka.getKeepAlive().getEventsList().stream()
                    .filter(e -> e.getKind() == io.chubby.protocol.EventKind.CONTENTS_MODIFIED).findFirst().orElseThrow();
            assertEquals(f, event.getPath(), event::toString);
            // the next KeepAlive {acked_event_seq 1, acked_invalidations 2 (packed), acked_failover 3} is held ...
            v1.sendRaw(VersionOneFrames.request(1012, session, epoch, 12, VersionOneFrames.message()
                    .varint(1, event.getSeq()).packed(2, 1L << 40).varint(3, 0)));
            // ... until Close = 15 {handle 1} and CloseSession = 13 end the session
            assertOk(v1Call(v1, 1013, session, epoch, 15, VersionOneFrames.message().bytes(1, h)));
            assertOk(v1Call(v1, 1014, session, epoch, 13, VersionOneFrames.message()));
            assertError(ErrorCode.SESSION_EXPIRED, v1.await(1012));
        }
    }

    /**
     * Compatibility the other way: what a newer client may send gets a clear answer. A Hello of a
     * newer protocol version (in its frame or its field) and a later frame of a newer version are
     * answered PROTOCOL_ERROR in a version-1 frame, then the connection closes; a field this
     * server does not know is ignored; a call it does not know is INVALID_ARGUMENT naming the
     * unknown field, and the connection goes on.
     */
    @Test
    @Order(107)
    void newerClientsAreAnsweredWithTypedErrors() {
        String f = dir("wire-newer") + "/f";
        client.write(f, "known".getBytes(StandardCharsets.UTF_8));
        String master = master();
        byte[] helloV2 = Hello.newBuilder().setProtocolVersion(Frames.VERSION + 1).setClientName("v2").build().toByteArray();
        for (byte[] first : List.of(frame(Frames.VERSION + 1, helloV2), Frames.encode(helloV2))) {
            try (WireClient newer = new WireClient(master, first)) {
                assertEquals(ErrorCode.PROTOCOL_ERROR.wire(), newer.hello.getError().getCode(), newer.hello::toString);
                assertTrue(newer.hello.getError().getMessage().contains("version " + (Frames.VERSION + 1)),
                        newer.hello::toString);
                assertEquals(Frames.VERSION, newer.hello.getProtocolVersion(), newer.hello::toString);
                assertTrue(newer.closedByServer(), "the refused connection is closed");
            }
        }
        try (WireClient later = new WireClient(master)) {
            later.sendFrame(frame(Frames.VERSION + 1, Request.newBuilder().setCallId(5)
                    .setStatus(StatusRequest.getDefaultInstance()).build().toByteArray()));
            Response refusal = assertError(ErrorCode.PROTOCOL_ERROR, later.await(5));
            assertEquals(0, refusal.getCallId(), refusal::toString);
            assertTrue(later.closedByServer(), "closed after the refusal");
        }
        try (WireClient a = WireClient.withSession(master)) {
            byte[] h = a.openHandle(f, READ, Create.CREATE_NO);
            // GetContents = 16 {handle 1, a field 15 from the future}
            assertEquals("known", contents(v1Call(a, 2001, a.sessionId, a.epoch, 16,
                    VersionOneFrames.message().bytes(1, h).varint(15, 1))));
            Response unknownCall = assertError(ErrorCode.INVALID_ARGUMENT,
                    v1Call(a, 2002, a.sessionId, a.epoch, 99, VersionOneFrames.message().varint(1, 7)));
            assertTrue(unknownCall.getError().getMessage().contains("unknown field 99"), unknownCall::toString);
            assertEquals("known", contents(a.call(WireClient.getContents(h))), "the connection goes on");
        }
    }

    /** Sends a hand-encoded request (call id {@code callId}, one call in {@code callField}) and awaits its answer. */
    private static Response v1Call(WireClient w, long callId, long session, long epoch, int callField,
                                   VersionOneFrames call) {
        w.sendRaw(VersionOneFrames.request(callId, session, epoch, callField, call));
        return w.await(callId);
    }

    /** A frame of any version around {@code message}. */
    private static byte[] frame(int version, byte[] message) {
        return ByteBuffer.allocate(6 + message.length).putInt(message.length + 2).putShort((short) version)
                .put(message).array();
    }

    static Request.Builder relativeDir(byte[] dirHandle, String name) {
        return Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(name).setDirHandle(ByteString.copyFrom(dirHandle))
                .setModeBits(READ | WRITE).setCreate(Create.CREATE_MAY).setDirectory(true));
    }

    static Request.Builder relative(byte[] dirHandle, String name) {
        return Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(name).setDirHandle(ByteString.copyFrom(dirHandle))
                .setModeBits(READ | WRITE).setCreate(Create.CREATE_MAY));
    }

    static Request.Builder setContents(byte[] handle, String contents) {
        return Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(ByteString.copyFrom(handle))
                .setContents(ByteString.copyFromUtf8(contents)));
    }

    static Request.Builder acquire(byte[] handle, boolean tryOnly) {
        return Request.newBuilder().setAcquire(AcquireRequest.newBuilder().setHandle(ByteString.copyFrom(handle))
                .setMode(LockModeKind.EXCLUSIVE).setTryOnly(tryOnly));
    }

    static String contents(Response r) {
        return assertOk(r).getGetContents().getContents().toStringUtf8();
    }

    static byte[] flip(byte[] b, int at) {
        byte[] c = b.clone();
        c[at] ^= 1;
        return c;
    }
}
