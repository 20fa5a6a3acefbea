package io.chubby.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicaConfigTest {

    @Test
    void keysGoToTheirComponentsPid() {
        assertEquals(ReplicaConfig.PID, ReplicaConfig.pidOf("cell.name"));
        assertEquals(ReplicaConfig.PID, ReplicaConfig.pidOf("replica.id"));
        assertEquals(ReplicaConfig.PID, ReplicaConfig.pidOf("members"));
        assertEquals(ReplicaConfig.PID, ReplicaConfig.pidOf("data.dir"));
        assertEquals(ReplicaConfig.ACL_PID, ReplicaConfig.pidOf("acl.superusers"));
        assertEquals("io.chubby.store", ReplicaConfig.pidOf("store.cache.mb"));
        assertEquals("io.chubby.paxos", ReplicaConfig.pidOf("paxos.lease.ms"));
        assertEquals("io.chubby.transport.peer", ReplicaConfig.pidOf("transport.peer.io.threads"));
        assertEquals("io.chubby.transport.client", ReplicaConfig.pidOf("transport.client.port"));
        assertEquals("io.chubby.cell", ReplicaConfig.pidOf("cell.session.lease.ms"));
        assertEquals("io.chubby.dns", ReplicaConfig.pidOf("dns.port"));
        assertEquals("io.chubby.backup", ReplicaConfig.pidOf("backup.target.dir"));
        assertEquals("io.chubby.metrics", ReplicaConfig.pidOf("metrics.ready.max.lag"));
        assertEquals("io.chubby.partition", ReplicaConfig.pidOf("partition.count"));
        assertEquals(ReplicaConfig.PARTITION_PID, ReplicaConfig.pidOf("partition.hash"));
    }

    @Test
    void aKeyOfNoComponentIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReplicaConfig.pidOf("transport.io.threads"));
        assertTrue(e.getMessage().contains("'transport.io.threads' belongs to no component"), e.getMessage());
        assertTrue(e.getMessage().contains("transport.client."), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ReplicaConfig.pidOf("cellname"));
    }

    @Test
    void byPidSplitsAFlatReplicaFile() {
        assertEquals(Map.of(
                "io.chubby.replica", Map.of("cell.name", "local", "replica.id", "1"),
                "io.chubby.paxos", Map.of("paxos.lease.ms", "3000", "paxos.renew.ms", "1000"),
                "io.chubby.cell", Map.of("cell.session.lease.ms", "9000")),
                ReplicaConfig.byPid(Map.of("cell.name", "local", "replica.id", "1", "paxos.lease.ms", "3000",
                        "paxos.renew.ms", "1000", "cell.session.lease.ms", "9000")));
        assertThrows(IllegalArgumentException.class, () -> ReplicaConfig.byPid(Map.of("bogus", "1")));
    }
}
