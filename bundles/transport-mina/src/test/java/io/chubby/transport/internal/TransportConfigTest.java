package io.chubby.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.protocol.HelloReply;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The OSGi constructors: configuration keys as SCR would pass them, defaults from the annotation. */
class TransportConfigTest {

    /** What SCR builds from Config Admin: given keys (by method name), annotation defaults otherwise. */
    static TransportConfig config(Map<String, Object> values) {
        return (TransportConfig) Proxy.newProxyInstance(TransportConfig.class.getClassLoader(),
                new Class<?>[] {TransportConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return TransportConfig.class;
                    }
                    Object v = values.get(method.getName());
                    return v != null ? v : method.getDefaultValue();
                });
    }

    @Test
    void clientAcceptorBindsToItsMembersClientPort() throws Exception {
        int[] ports = MinaPeerTransportTest.freePorts(2);
        String members = "1@127.0.0.1:" + ports[0] + ":7101,2@127.0.0.1:" + ports[1] + ":7102";
        ClientAcceptor acceptor = new ClientAcceptor(
                config(Map.of("replica_id", 2, "members", members, "cell_name", "cfgcell")), new EchoHandler());
        try (FrameSocket s = FrameSocket.connect(new InetSocketAddress("127.0.0.1", ports[1]))) {
            HelloReply reply = s.hello();
            // The HelloReply names what the request handler serves (see RequestHandler.greeting()).
            assertEquals(7, reply.getReplicaId());
            assertEquals("testcell", reply.getCell());
            s.roundTrip("configured".getBytes());
        } finally {
            acceptor.stop();
        }
        Await.noTransportThreads();
    }

    @Test
    void defaultsComeFromTheAnnotation() {
        ClientSettings c = ClientSettings.from(config(Map.of("replica_id", 1, "members", "1@127.0.0.1:7001:7101",
                "cell_name", "x")));
        assertEquals(io.chubby.protocol.Frames.DEFAULT_MAX_MESSAGE, c.maxFrameBytes());
        assertEquals(new InetSocketAddress("127.0.0.1", 7001), c.bind());
        PeerSettings p = PeerSettings.from(config(Map.of("replica_id", 1, "members", "1@127.0.0.1:7001:7101",
                "cell_name", "x")));
        assertEquals(16 * 1024 * 1024, p.maxFrameBytes());
        assertEquals(50, p.backoffMinMs());
        assertEquals(2000, p.backoffMaxMs());
    }

    @Test
    void replicaNotInMembersIsATypedError() {
        ChubbyException e = assertThrows(ChubbyException.class, () -> new MinaPeerTransport(config(Map.of(
                "replica_id", 3, "members", "1@127.0.0.1:7001:7101,2@127.0.0.1:7002:7102", "cell_name", "x"))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        ChubbyException missing = assertThrows(ChubbyException.class,
                () -> ClientSettings.from(config(Map.of("replica_id", 1, "cell_name", "x"))));
        assertEquals(ErrorCode.INVALID_ARGUMENT, missing.code());
    }
}
