package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicaSettingsTest {

    /** A Config as DS would build it: given keys, annotation defaults for the rest. */
    private static PaxosReplica.Config config(Map<String, Object> given) {
        return (PaxosReplica.Config) Proxy.newProxyInstance(PaxosReplica.Config.class.getClassLoader(),
                new Class<?>[] {PaxosReplica.Config.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return PaxosReplica.Config.class;
                    }
                    Object v = given.get(method.getName());
                    return v != null ? v : method.getDefaultValue();
                });
    }

    @Test
    void configMapsToSettingsWithDefaults() {
        ReplicaSettings s = PaxosReplica.settings(config(Map.of("replica_id", 2,
                "members", "1@127.0.0.1:7001:7101,2@127.0.0.1:7002:7102,3@127.0.0.1:7003:7103")));
        assertEquals(2, s.replicaId());
        assertEquals(3, s.members().size());
        assertEquals(7102, s.self().peerPort());
        assertEquals("local", s.cellName());
        assertEquals(1500, s.leaseMs());
        assertEquals(500, s.renewMs());
        assertEquals(0.01, s.maxDrift());
        assertEquals(10, s.tickMs());
        assertEquals(10_000, s.compactEveryEntries());
        assertEquals(1000, s.compactKeepEntries());
        assertEquals(PaxosReplica.Config.class, ((Annotation) config(Map.of())).annotationType());
    }

    @Test
    void badConfigIsRefusedWithTheKeyName() {
        String members = "1@127.0.0.1:7001:7101";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PaxosReplica.settings(config(Map.of("replica_id", 4, "members", members))));
        assertEquals(true, e.getMessage().contains("replica.id"));
        e = assertThrows(IllegalArgumentException.class, () -> PaxosReplica.settings(config(Map.of("replica_id", 1,
                "members", members, "paxos_renew_ms", 1000L))));
        assertEquals(true, e.getMessage().contains("paxos.renew.ms"));
    }
}
