package io.chubby.sim.cell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.Stat;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.protocol.Create;
import io.chubby.protocol.CreateSessionRequest;
import io.chubby.protocol.Frames;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.Hello;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.testkit.Await;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: a write the master legitimately holds (waiting for a killed caching client's session
 * to run out, with leases lengthened under load to longer than the writer's call timeout) ends in
 * success, not "outcome unknown": the Java client's write deadline follows its session's lease.
 */
class HeldWriteTest {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(1);

    @Test
    void aWriteHeldForAKilledCachingClientSucceedsAlthoughItOutlastsTheCallTimeout() throws Exception {
        // Base lease 1 s, lengthened by the policy by 1 s per session (a target of 1 KeepAlive/s) up to
        // the longest lease, 3 s: three times the writer's call timeout.
        CellSettings settings = new CellSettings("local", 262_144, 1_000, 3_000, 300, 100, 60_000, 1);
        List<ChubbyClient> clients = new ArrayList<>();
        try (InProcessCell cell = InProcessCell.builder().settings(settings).start()) {
            ClientOptions options = ClientOptions.builder().cell(cell.address()).callTimeout(CALL_TIMEOUT).build();
            for (int i = 0; i < 3; i++) {
                clients.add(ChubbyClient.connect(options)); // load: the lease grows with the sessions
            }
            Await.until("leases lengthened under load to the longest", () -> leaseMillis(cell) == 3_000);
            ChubbyClient writer = ChubbyClient.connect(options);
            clients.add(writer);
            writer.write("/ls/local/f", bytes("v1"));

            String eph;
            try (RawClient killed = new RawClient(cell.address())) {
                long lease = killed.createSession();
                assertTrue(lease > CALL_TIMEOUT.toMillis(), "the case under test: a lease longer than the call timeout");
                Response read = killed.call(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder()
                        .setHandle(killed.open("/ls/local/f", Create.CREATE_NO).getOpen().getHandle())));
                assertTrue(read.getGetContents().getCacheable(), "it caches f: every write to f waits for it");
                eph = "/ls/local/eph-" + killed.session;
                killed.open(eph, Create.CREATE_MUST).getOpen().getHandle();
            } // the socket closes without CloseSession: the client is gone, its session lives until its lease ends

            Stat s = writer.write("/ls/local/f", bytes("v2"));
            assertEquals(2, s.contentGeneration(), "the held write succeeded");
            assertFalse(writer.exists(eph), "it was held until the killed client's session ended");
            assertEquals("v2", new String(writer.read("/ls/local/f"), StandardCharsets.UTF_8));
        } finally {
            clients.forEach(ChubbyClient::close);
        }
    }

    private static long leaseMillis(InProcessCell cell) {
        return Long.parseLong(cell.status().getMetricsOrThrow("lease_ms"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The client protocol over a plain socket: what a client that is then killed did before it died. */
    private static final class RawClient implements AutoCloseable {
        private final Socket socket = new Socket();
        private final DataInputStream in;
        private long callId;
        long session;

        RawClient(String address) throws IOException {
            int colon = address.lastIndexOf(':');
            socket.connect(new InetSocketAddress(address.substring(0, colon),
                    Integer.parseInt(address.substring(colon + 1))), 5_000);
            socket.setSoTimeout(10_000);
            in = new DataInputStream(socket.getInputStream());
            send(Hello.newBuilder().setProtocolVersion(Frames.VERSION).setClientName("killed").build().toByteArray());
            frame();
        }

        long createSession() throws IOException {
            Response r = call(Request.newBuilder().setCreateSession(CreateSessionRequest.newBuilder()
                    .setClientName("killed")));
            session = r.getCreateSession().getSessionId();
            return r.getCreateSession().getLeaseMs();
        }

        Response open(String path, Create create) throws IOException {
            return call(Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(path).setModeBits(3)
                    .setCreate(create).setEphemeral(create == Create.CREATE_MUST)));
        }

        Response call(Request.Builder b) throws IOException {
            long id = ++callId;
            send(b.setCallId(id).setSessionId(session).build().toByteArray());
            Response r = Response.parseFrom(frame());
            assertEquals(id, r.getCallId());
            assertFalse(r.hasError(), r::toString);
            return r;
        }

        private void send(byte[] message) throws IOException {
            socket.getOutputStream().write(Frames.encode(message));
            socket.getOutputStream().flush();
        }

        private byte[] frame() throws IOException {
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            return java.util.Arrays.copyOfRange(b, 2, b.length);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
