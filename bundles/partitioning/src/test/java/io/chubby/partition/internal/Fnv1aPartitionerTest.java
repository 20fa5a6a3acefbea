package io.chubby.partition.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.api.NodePath;
import io.chubby.api.PartitionHash;
import io.chubby.testkit.HashPartitioner;
import org.junit.jupiter.api.Test;

class Fnv1aPartitionerTest {

    @Test
    void placesNodesOnThePinnedSlotsOfPartitionHash() {
        Fnv1aPartitioner p = new Fnv1aPartitioner(4);
        assertEquals(4, p.partitions());
        assertEquals("fnv1a64-v1", p.hashName());
        // the vectors of PartitionHashTest and docs/PROTOCOL.md
        assertEquals(2810, p.slotOfChildren(NodePath.parse("/ls/local/home/alice")));
        assertEquals(2810 % 4, p.partitionOfChildren(NodePath.parse("/ls/local/home/alice")));
        assertEquals(2810 % 4, p.partitionOf(NodePath.parse("/ls/local/home/alice/notes")));
        assertEquals(1169 % 4, p.partitionOf(NodePath.parse("/ls/local/home/alice")));
        assertEquals(2558 % 4, p.partitionOf(NodePath.parse("/ls/local/home")), "the root's children");
        assertEquals(0, p.partitionOf(NodePath.root("local")), "the root node itself");
    }

    @Test
    void agreesWithTheReferenceFunctionEverywhere() {
        Fnv1aPartitioner mine = new Fnv1aPartitioner(7);
        HashPartitioner reference = new HashPartitioner(7);
        for (int i = 0; i < 500; i++) {
            NodePath dir = NodePath.parse("/ls/local/d" + i + "/sub" + (i % 13));
            assertEquals(PartitionHash.slotOf(dir), mine.slotOfChildren(dir));
            assertEquals(reference.partitionOf(dir), mine.partitionOf(dir), dir.toString());
        }
    }

    @Test
    void onePartitionPutsEverythingOnGroupZero() {
        Fnv1aPartitioner one = new Fnv1aPartitioner(1);
        assertEquals(0, one.partitionOf(NodePath.parse("/ls/local/a/b")));
        assertEquals(0, one.partitionOf(NodePath.parse("/ls/local/x")));
    }

    @Test
    void refusesACountOutsideTheSlots() {
        assertThrows(IllegalArgumentException.class, () -> new Fnv1aPartitioner(0));
        assertThrows(IllegalArgumentException.class, () -> new Fnv1aPartitioner(PartitionHash.SLOTS + 1));
        assertEquals(PartitionHash.SLOTS, new Fnv1aPartitioner(PartitionHash.SLOTS).partitions());
    }
}
