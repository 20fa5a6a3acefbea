package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.spi.Member;
import io.chubby.spi.ReplicaIdentity;
import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The DS activation path: PID io.chubby.paxos (paxos.* keys, defaults when unconfigured) plus the identity. */
class ReplicaSettingsTest {
    private static final List<Member> MEMBERS = Member.parseList(
            "1@127.0.0.1:7001:7101,2@127.0.0.1:7002:7102,3@127.0.0.1:7003:7103");

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

    private record Identity(String cellName, int replicaId, List<Member> members) implements ReplicaIdentity {
        @Override
        public String dataDir() {
            return "/unused";
        }
    }

    @Test
    void unconfiguredGivesTheDefaultsAndTheIdentity() {
        ReplicaSettings s = PaxosReplica.settings(config(Map.of()), new Identity("cellB", 2, MEMBERS));
        assertEquals(2, s.replicaId());
        assertEquals(3, s.members().size());
        assertEquals(7102, s.self().peerPort());
        assertEquals("cellB", s.cellName());
        assertEquals(1500, s.leaseMs());
        assertEquals(500, s.renewMs());
        assertEquals(0.01, s.maxDrift());
        assertEquals(10, s.tickMs());
        assertEquals(1000, s.batchMaxEntries());
        assertEquals(10_000, s.compactEveryEntries());
        assertEquals(1000, s.compactKeepEntries());
        assertEquals(PaxosReplica.Config.class, ((Annotation) config(Map.of())).annotationType());
    }

    @Test
    void configuredKeysOverrideTheDefaults() {
        ReplicaSettings s = PaxosReplica.settings(config(Map.of("paxos_lease_ms", 3000L, "paxos_renew_ms", 1000L,
                "paxos_compact_every_entries", 500L)), new Identity("local", 1, MEMBERS));
        assertEquals(3000, s.leaseMs());
        assertEquals(1000, s.renewMs());
        assertEquals(500, s.compactEveryEntries());
    }

    @Test
    void badConfigIsRefusedWithTheKeyName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PaxosReplica.settings(config(Map.of()), new Identity("local", 4, MEMBERS)));
        assertEquals(true, e.getMessage().contains("replica.id"));
        e = assertThrows(IllegalArgumentException.class, () -> PaxosReplica.settings(
                config(Map.of("paxos_renew_ms", 1000L)), new Identity("local", 1, MEMBERS)));
        assertEquals(true, e.getMessage().contains("paxos.renew.ms"));
    }

    @Test
    void placementKeysHaveDefaultsAndAreChecked() {
        assertEquals(PlacementSettings.defaults(), PaxosReplica.placement(config(Map.of())));
        assertEquals(new PlacementSettings(2000, 0.9, 0), PaxosReplica.placement(config(Map.of(
                "paxos_placement_settle_ms", 2000L, "paxos_placement_overload_busy", 0.9,
                "paxos_placement_overload_ms", 0L))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PaxosReplica.placement(
                config(Map.of("paxos_placement_overload_busy", 1.5))));
        assertEquals(true, e.getMessage().contains("paxos.placement.overload.busy"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PaxosReplica.placement(
                config(Map.of("paxos_placement_settle_ms", -1L))));
        assertEquals(true, e.getMessage().contains("paxos.placement.settle.ms"), e.getMessage());
    }
}
