package io.chubby.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.PartitionMaster;
import org.junit.jupiter.api.Test;

/** The client's partition map: placement by the pinned hash vectors, and which news replaces an entry. */
class PartitionMapTest {
    private static PartitionMaster pm(int p, int id, long epoch) {
        return PartitionMaster.newBuilder().setPartition(p).setMasterId(id).setMasterAddress("h:" + id)
                .setEpoch(epoch).build();
    }

    /** A four-way map as a replica answers it: partition p's master is replica p % 3 + 1 at epoch 10 + p. */
    private static MasterLocation fourWays() {
        MasterLocation.Builder m = MasterLocation.newBuilder().setCell("c").setMasterId(1).setMasterAddress("h:1")
                .setEpoch(10).setPartitions(4).setPartitionHash("fnv1a64-v1");
        for (int p = 0; p < 4; p++) {
            m.addPartitionMasters(pm(p, p % 3 + 1, 10 + p));
        }
        return m.build();
    }

    @Test
    void aCellOfOnePartitionPutsEverythingOnPartitionZero() {
        PartitionMap one = PartitionMap.of(MasterLocation.newBuilder().setCell("c").setMasterId(2)
                .setMasterAddress("h:2").setEpoch(7).build());
        assertFalse(one.partitioned());
        assertEquals(1, one.count());
        assertEquals(new PartitionMap.Master(2, "h:2", 7), one.master(0));
        assertEquals(0, one.partitionOf("/ls/c/home/alice/x"));
        assertEquals(0, one.partitionOf("/ls/c/a"));
        assertFalse(PartitionMap.ONE.master(0).known());
    }

    @Test
    void aNodesPartitionIsThePartitionOfItsParentsChildren() {
        PartitionMap four = PartitionMap.of(fourWays());
        for (String dir : new String[] {"/ls/c", "/ls/c/a", "/ls/c/home", "/ls/c/home/alice", "/ls/c/a/b/c"}) {
            assertEquals(four.partitionOfChildren(io.chubby.api.NodePath.parse(dir)), four.partitionOf(dir + "/x"), dir);
        }
        assertEquals(0, PartitionMap.ONE.partitionOfChildren(io.chubby.api.NodePath.parse("/ls/c/a")));
    }

    @Test
    void nodesArePlacedByTheirDirectorysSlotAsThePinnedVectorsSay() {
        PartitionMap four = PartitionMap.of(fourWays());
        assertTrue(four.partitioned());
        assertEquals(4, four.count());
        assertEquals(0, four.partitionOf("/ls/c/"), "the root itself is partition 0's");
        assertEquals(2, four.partitionOf("/ls/c/home"), "children of the root: slot(\"/\") = 2558");
        assertEquals(1, four.partitionOf("/ls/c/a/x"), "children of /a: slot 2349");
        assertEquals(1, four.partitionOf("/ls/c/home/alice"), "children of /home: slot 1169");
        assertEquals(2, four.partitionOf("/ls/c/home/alice/f"), "children of /home/alice: slot 2810");
        assertEquals(2, four.partitionOf("/ls/c/a/b/c/d"), "children of /a/b/c: slot 1390");
        for (int p = 0; p < 4; p++) {
            assertEquals(new PartitionMap.Master(p % 3 + 1, "h:" + (p % 3 + 1), 10 + p), four.master(p));
        }
    }

    @Test
    void aRedirectReplacesItsPartitionsEntryOnlyWhenNewer() {
        PartitionMap four = PartitionMap.of(fourWays());
        // NOT_MASTER for partition 2 from its old master: the new one at a newer epoch; the rest as known
        MasterLocation moved = fourWays().toBuilder().setPartition(2).setMasterId(1).setMasterAddress("h:1")
                .setEpoch(20).setPartitionMasters(2, pm(2, 1, 20)).setPartitionMasters(1, pm(1, 3, 5)).build();
        PartitionMap after = four.learn(moved);
        assertEquals(new PartitionMap.Master(1, "h:1", 20), after.master(2), "newer epoch wins");
        assertEquals(new PartitionMap.Master(2, "h:2", 11), after.master(1), "an older epoch is ignored");
        assertEquals(four.master(3), after.master(3));

        assertSame(after, after.learn(2, new PartitionMap.Master(3, "h:3", 19)), "older: the same map");
        PartitionMap unknown = after.learn(2, new PartitionMap.Master(0, null, 21));
        assertFalse(unknown.master(2).known(), "a newer epoch without a master: look for it");
        assertEquals(new PartitionMap.Master(2, "h:2", 21),
                unknown.learn(2, new PartitionMap.Master(2, "h:2", 21)).master(2), "the same epoch, now known");
    }

    @Test
    void aMapOfAnotherSizeReplacesTheWholeMap() {
        PartitionMap learned = PartitionMap.ONE.learn(fourWays());
        assertEquals(4, learned.count());
        assertEquals(new PartitionMap.Master(1, "h:1", 13), learned.master(3));
    }

    @Test
    void anUnknownHashIsNotGuessed() {
        PartitionMap other = PartitionMap.of(fourWays().toBuilder().setPartitionHash("sha1-v9").build());
        ChubbyException e = assertThrows(ChubbyException.class, () -> other.partitionOf("/ls/c/a/x"));
        assertEquals(ErrorCode.CELL_UNAVAILABLE, e.code());
        assertEquals(0, other.partitionOf("/ls/c/"), "the root needs no hash");
    }
}
