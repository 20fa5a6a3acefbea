package io.chubby.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.protocol.Frames;
import io.chubby.protocol.HelloReply;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client acceptor's OSGi constructor (PID io.chubby.transport.client, SCR-style Config): where
 * it listens with its own port, with only an identity, and with neither.
 */
class ClientAcceptorConfigTest {
    private ClientAcceptor acceptor;

    private static ClientAcceptor.Config config(Map<String, Object> values) {
        return Configs.of(ClientAcceptor.Config.class, values);
    }

    @AfterEach
    void stop() {
        if (acceptor != null) {
            acceptor.stop();
        }
        TransportThreads.awaitNone();
    }

    @Test
    void withoutPortOrIdentityItStaysIdleWithoutASocketOrThreads() {
        acceptor = new ClientAcceptor(config(Map.of()), new EchoHandler(), null);
        assertFalse(acceptor.listening());
        assertThrows(IllegalStateException.class, acceptor::localAddress);
        TransportThreads.awaitNone();
    }

    @Test
    void withAnIdentityItBindsThisReplicasClientPort() throws Exception {
        int[] ports = MinaPeerTransportTest.freePorts(2);
        String members = "1@127.0.0.1:" + ports[0] + ":7101,2@127.0.0.1:" + ports[1] + ":7102";
        acceptor = new ClientAcceptor(config(Map.of()), new EchoHandler(), new Configs.Identity("cfgcell", 2, members));
        assertEquals(new InetSocketAddress("127.0.0.1", ports[1]), acceptor.localAddress());
        try (FrameSocket s = FrameSocket.connect(new InetSocketAddress("127.0.0.1", ports[1]))) {
            HelloReply reply = s.hello();
            // The HelloReply names what the request handler serves (see RequestHandler.greeting()).
            assertEquals(7, reply.getReplicaId());
            assertEquals("testcell", reply.getCell());
            s.roundTrip("configured".getBytes());
        }
    }

    @Test
    void itsOwnPortWinsOverTheIdentityAndNeedsNoIdentity() throws Exception {
        int[] ports = MinaPeerTransportTest.freePorts(2);
        Map<String, Object> own = Map.of("transport_client_host", "127.0.0.1", "transport_client_port", ports[0]);
        acceptor = new ClientAcceptor(config(own), new EchoHandler(),
                new Configs.Identity("local", 1, "1@127.0.0.1:" + ports[1] + ":7101"));
        assertEquals(ports[0], acceptor.localAddress().getPort());
        acceptor.stop();
        acceptor = new ClientAcceptor(config(own), new EchoHandler(), null);
        try (FrameSocket s = FrameSocket.connect(new InetSocketAddress("127.0.0.1", ports[0]))) {
            s.hello();
            s.roundTrip("no identity".getBytes());
        }
    }

    @Test
    void bindAddressRule() {
        Configs.Identity id = new Configs.Identity("local", 1, "1@10.0.0.1:7001:7101");
        assertNull(ClientAcceptor.bindAddress(config(Map.of()), null));
        assertEquals(new InetSocketAddress("10.0.0.1", 7001), ClientAcceptor.bindAddress(config(Map.of()), id));
        assertEquals(new InetSocketAddress("127.0.0.1", 9000),
                ClientAcceptor.bindAddress(config(Map.of("transport_client_port", 9000)), id));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClientAcceptor.bindAddress(config(Map.of("transport_client_port", 70000)), id));
        assertTrue(e.getMessage().contains("transport.client.port"), e.getMessage());
    }

    @Test
    void defaultsComeFromTheAnnotationAndBadValuesNameTheirKey() {
        ClientSettings c = ClientSettings.from(config(Map.of()), null);
        assertEquals(Frames.DEFAULT_MAX_MESSAGE, c.maxFrameBytes());
        assertEquals(64L * 1024 * 1024, c.maxQueuedBytes());
        assertEquals(2, c.ioThreads());
        assertEquals(10, c.handshakeTimeoutSeconds());
        ClientSettings tuned = ClientSettings.from(config(Map.of("transport_client_max_frame_bytes", 4096,
                "transport_client_io_threads", 1, "transport_client_handshake_timeout_s", 3)), null);
        assertEquals(4096, tuned.maxFrameBytes());
        assertEquals(1, tuned.ioThreads());
        assertEquals(3, tuned.handshakeTimeoutSeconds());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClientSettings.from(config(Map.of("transport_client_io_threads", 0)), null));
        assertTrue(e.getMessage().contains("transport.client.io.threads"), e.getMessage());
    }
}
