package io.chubby.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.options;

import io.chubby.protocol.Empty;
import io.chubby.protocol.Frames;
import io.chubby.protocol.Hello;
import io.chubby.protocol.HelloReply;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.StatusRequest;
import io.chubby.spi.ClientConnection;
import io.chubby.spi.ReplicaConfig;
import io.chubby.spi.RequestHandler;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A client acceptor can run in a process that has no peer transport and no consensus: only the
 * api, protocol and transport-mina bundles (with DS, Config Admin, MINA and protobuf; no identity,
 * store, Paxos or cell) plus a tiny RequestHandler registered by the test. Configuring PID
 * io.chubby.transport.client with a port (and a handler.target choosing between two handlers)
 * gives a listener that completes a Hello and a request over a real socket.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ClientAcceptorAloneIT {
    private static final long WAIT_MS = 30_000;
    private static final List<String> PRODUCT = List.of("chubby-api", "chubby-protocol", "chubby-transport-mina");

    @Inject
    private BundleContext context;
    @Inject
    private ConfigurationAdmin configAdmin;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        List<Option> product = new ArrayList<>();
        for (String name : PRODUCT) {
            product.add(bundle(ExamOptions.dist().resolve("bundle").resolve(name + ".jar").toUri().toString()));
        }
        return options(
                ExamOptions.base(),
                ExamOptions.systemBundles(List.of("org.osgi.util.function", "org.osgi.util.promise",
                        "org.osgi.service.component", "org.apache.felix.configadmin", "org.apache.felix.scr",
                        "mina-core", "protobuf-java")),
                composite(product.toArray(new Option[0])));
    }

    /** Answers every request with an empty body under the request's call id; its greeting names it. */
    private static final class TinyHandler implements RequestHandler {
        final String cell;
        final List<Long> requests = new CopyOnWriteArrayList<>();

        TinyHandler(String cell) {
            this.cell = cell;
        }

        @Override
        public Greeting greeting() {
            return new Greeting(cell, 0); // not a replica
        }

        @Override
        public void connected(ClientConnection connection) {
        }

        @Override
        public void request(ClientConnection connection, byte[] bytes) {
            try {
                long callId = Request.parseFrom(bytes).getCallId();
                requests.add(callId);
                connection.send(Response.newBuilder().setCallId(callId).setEmpty(Empty.getDefaultInstance()).build()
                        .toByteArray());
            } catch (IOException e) {
                connection.close("not a Request: " + e.getMessage());
            }
        }

        @Override
        public void disconnected(ClientConnection connection) {
        }
    }

    @Test(timeout = 90_000)
    public void helloAndRequestRoundTripWithoutReplica() throws Exception {
        for (String bsn : List.of("io.chubby.identity", "io.chubby.store", "io.chubby.paxos", "io.chubby.cell")) {
            assertNull(bsn + " is not in this framework", ExamOptions.find(context, bsn));
        }
        assertNull("no peer transport", context.getServiceReference("io.chubby.spi.PeerTransport"));
        assertNull("no consensus", context.getServiceReference("io.chubby.spi.Consensus"));
        assertNull("no replica identity", context.getServiceReference("io.chubby.spi.ReplicaIdentity"));

        // two handlers: without a target DS would bind the first; the configuration picks the second
        TinyHandler decoy = new TinyHandler("decoy");
        TinyHandler proxy = new TinyHandler("proxycell");
        ServiceRegistration<RequestHandler> r1 = context.registerService(RequestHandler.class, decoy, props("decoy"));
        ServiceRegistration<RequestHandler> r2 = context.registerService(RequestHandler.class, proxy, props("proxy"));
        int port = ExamOptions.freePort();
        Configuration c = configAdmin.getConfiguration(ReplicaConfig.CLIENT_TRANSPORT_PID, "?");
        Hashtable<String, Object> p = new Hashtable<>();
        // strings, exactly as FileInstall passes a .cfg file's values
        p.put("transport.client.host", "127.0.0.1");
        p.put("transport.client.port", Integer.toString(port));
        p.put("handler.target", "(handler.name=proxy)");
        c.update(p);

        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                s.setSoTimeout(10_000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                out.write(Frames.encode(Hello.newBuilder().setProtocolVersion(Frames.VERSION)
                        .setClientName("ClientAcceptorAloneIT").build().toByteArray()));
                HelloReply hello = HelloReply.parseFrom(readFrame(in));
                assertEquals("the HelloReply comes from the targeted handler", "proxycell", hello.getCell());
                assertEquals(0, hello.getReplicaId());
                out.write(Frames.encode(Request.newBuilder().setCallId(42)
                        .setStatus(StatusRequest.getDefaultInstance()).build().toByteArray()));
                Response response = Response.parseFrom(readFrame(in));
                assertEquals(42, response.getCallId());
                assertTrue(response.hasEmpty());
                break;
            } catch (IOException notYet) {
                if (System.currentTimeMillis() > deadline) {
                    fail("no client acceptor on port " + port + " after " + WAIT_MS + " ms: " + notYet);
                }
                Thread.sleep(200);
            }
        }
        assertEquals(List.of(42L), proxy.requests);
        assertTrue(decoy.requests.isEmpty());
        c.delete();
        r2.unregister();
        r1.unregister();
    }

    private static Hashtable<String, Object> props(String name) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("handler.name", name);
        return p;
    }

    /** One frame's message bytes: 4-byte length N, then 2-byte version and N-2 message bytes. */
    private static byte[] readFrame(DataInputStream in) throws IOException {
        int length = in.readInt();
        byte[] frame = new byte[length];
        in.readFully(frame);
        int version = ((frame[0] & 0xff) << 8) | (frame[1] & 0xff);
        assertEquals(Frames.VERSION, version);
        byte[] message = new byte[length - 2];
        System.arraycopy(frame, 2, message, 0, message.length);
        return message;
    }
}
