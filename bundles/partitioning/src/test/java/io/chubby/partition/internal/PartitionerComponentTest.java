package io.chubby.partition.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.Partitioner;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** The component on a recording BundleContext: what it registers, with which properties, and when nothing. */
class PartitionerComponentTest {

    /** Services registered and not yet unregistered through the fake context. */
    private final List<Object[]> registered = new ArrayList<>();

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("registerService")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    Object[] entry = {args[0], args[1], args[2]};
                    registered.add(entry);
                    return Proxy.newProxyInstance(getClass().getClassLoader(),
                            new Class<?>[] {ServiceRegistration.class}, (p, m, a) -> {
                                if (m.getName().equals("unregister")) {
                                    registered.remove(entry);
                                    return null;
                                }
                                throw new UnsupportedOperationException(m.getName());
                            });
                });
    }

    @Test
    void aValidConfigurationRegistersThePartitionerWithItsProperties() {
        PartitionerComponent c = new PartitionerComponent(context(),
                Map.of("partition.count", "4", "service.pid", "io.chubby.partition"));
        assertTrue(c.registered());
        assertEquals(1, registered.size());
        assertEquals(Partitioner.class, registered.get(0)[0]);
        Partitioner p = assertInstanceOf(Fnv1aPartitioner.class, registered.get(0)[1]);
        assertEquals(4, p.partitions());
        Dictionary<?, ?> props = (Dictionary<?, ?>) registered.get(0)[2];
        assertEquals(4, props.get(Partitioner.PARTITIONS));
        assertEquals("fnv1a64-v1", props.get(Partitioner.HASH));
        c.deactivate();
        assertTrue(registered.isEmpty(), "deactivation unregisters it");
    }

    @Test
    void aBadCountOrAnUnknownHashRegistersNothing() {
        PartitionerComponent zero = new PartitionerComponent(context(), Map.of("partition.count", "0"));
        PartitionerComponent murmur = new PartitionerComponent(context(),
                Map.of("partition.count", "4", "partition.hash", "murmur3"));
        assertFalse(zero.registered());
        assertFalse(murmur.registered());
        assertTrue(registered.isEmpty());
        zero.deactivate();
        murmur.deactivate();
    }
}
