package io.chubby.identity.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.ReplicaIdentity;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** The DS component with a stand-in BundleContext: what it registers, what it logs. */
class IdentityPublisherTest {
    /** Services registered through the stand-in context: {service, properties}; unregistered ones removed. */
    private final List<Object[]> registered = new ArrayList<>();
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private PrintStream err;

    @BeforeEach
    void captureLog() {
        err = System.err;
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreLog() {
        System.setErr(err);
    }

    private String log() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("registerService")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    Object[] entry = {args[1], args[2]};
                    registered.add(entry);
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServiceRegistration.class},
                            (p, m, a) -> {
                                if (m.getName().equals("unregister")) {
                                    registered.remove(entry);
                                    return null;
                                }
                                throw new UnsupportedOperationException(m.getName());
                            });
                });
    }

    @Test
    void aValidConfigurationIsPublishedWithCellAndIdAsServiceProperties() {
        IdentityPublisher publisher = new IdentityPublisher(context(), IdentityTest.valid());
        assertEquals(1, registered.size());
        ReplicaIdentity id = (ReplicaIdentity) registered.get(0)[0];
        assertEquals(2, id.replicaId());
        Dictionary<?, ?> props = (Dictionary<?, ?>) registered.get(0)[1];
        assertEquals("cellA", props.get("cell.name"));
        assertEquals(2, props.get("replica.id"));
        assertTrue(log().contains("replica identity published cell=cellA replica=2"), log());
        publisher.deactivate();
        assertTrue(registered.isEmpty(), "deactivation unregisters the service");
    }

    @Test
    void aBadConfigurationIsOneErrorLineAndNoService() {
        Map<String, Object> p = IdentityTest.valid();
        p.put("replica.id", "9");
        IdentityPublisher publisher = new IdentityPublisher(context(), p);
        assertTrue(registered.isEmpty());
        List<String> errors = log().lines().filter(l -> l.contains("ERROR")).toList();
        assertEquals(1, errors.size(), log());
        assertTrue(errors.get(0).contains("replica identity not published"), errors.get(0));
        assertTrue(errors.get(0).contains("replica.id 9 is not in members"), errors.get(0));
        publisher.deactivate(); // harmless without a registration
    }

    @Test
    void keysOfOtherComponentsAreNamedWithTheirPid() {
        Map<String, Object> p = IdentityTest.valid();
        p.put("paxos.lease.ms", "3000");
        p.put("cell.session.lease.ms", "9000");
        p.put("transport.max.frame.bytes", "4096");
        // added by Config Admin, DS and FileInstall: not the operator's keys
        p.put("service.pid", "io.chubby.replica");
        p.put("component.name", "io.chubby.identity.internal.IdentityPublisher");
        p.put("osgi.ds.satisfying.condition.target", "(osgi.condition.id=true)");
        p.put("felix.fileinstall.filename", "file:/x/etc/io.chubby.replica.cfg");
        new IdentityPublisher(context(), p);
        assertEquals(1, registered.size(), "stray keys do not stop the identity");
        List<String> warnings = log().lines().filter(l -> l.contains("WARN")).toList();
        assertEquals(3, warnings.size(), log());
        assertTrue(warnings.get(0).contains("key=cell.session.lease.ms reason=\"it belongs to PID io.chubby.cell: "
                + "move it to etc/io.chubby.cell.cfg\""), warnings.get(0));
        assertTrue(warnings.get(1).contains("key=paxos.lease.ms reason=\"it belongs to PID io.chubby.paxos"),
                warnings.get(1));
        assertTrue(warnings.get(2).contains("key=transport.max.frame.bytes reason=\"configuration key "
                + "'transport.max.frame.bytes' belongs to no component"), warnings.get(2));
    }
}
