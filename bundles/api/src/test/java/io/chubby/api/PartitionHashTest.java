package io.chubby.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Pins fnv1a64-v1. Every expected value below was computed outside Java (a few lines of Python:
 * FNV-1a 64 over {@code s.encode('utf-8')}, then {@code h % 4096} on the unsigned integer); the
 * same vectors are in docs/PROTOCOL.md for clients in other languages.
 */
class PartitionHashTest {

    @Test
    void fnv1a64MatchesThePublishedVectors() {
        assertEquals(0xcbf29ce484222325L, PartitionHash.fnv1a64(new byte[0]));
        assertEquals(0xaf63dc4c8601ec8cL, PartitionHash.fnv1a64("a".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void slotsOfDirectoriesMatchTheVectors() {
        assertEquals(2349, PartitionHash.slotOf("/a"));
        assertEquals(978, PartitionHash.slotOf("/acl"));
        assertEquals(2810, PartitionHash.slotOf("/home/alice"));
        assertEquals(1390, PartitionHash.slotOf("/a/b/c"));
        assertEquals(3886, PartitionHash.slotOf("/faults-d0"));
        assertEquals(225, PartitionHash.slotOf("/faults-d1"));
    }

    @Test
    void theRootHashesItsOneCharacterPath() {
        assertEquals(0xaf63a24c860189feL, PartitionHash.fnv1a64("/".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(2558, PartitionHash.slotOf("/"));
        assertEquals(2558, PartitionHash.slotOf(NodePath.root("local")));
    }

    @Test
    void slotIsTheUnsignedRemainderOfTheHash() {
        // "/home" hashes to 0xb17eeef9480d2491, negative as a Java long (-5656821327507676015);
        // a signed % gives -2927 (Python: -((2**64 - h) % 4096)), the unsigned remainder 1169.
        long hash = PartitionHash.fnv1a64("/home".getBytes(StandardCharsets.US_ASCII));
        assertTrue(hash < 0);
        assertEquals(-2927, hash % PartitionHash.SLOTS);
        assertEquals(1169, PartitionHash.slotOf("/home"));
        assertEquals(1183, PartitionHash.slotOf("/ls"));
        assertEquals(3016, PartitionHash.slotOf("/faults-d2"));
        assertEquals(3451, PartitionHash.slotOf("/faults-d3"));
    }

    @Test
    void namesAreHashedAsUtf8() {
        // "/café" is 2f 63 61 66 c3 a9; "/日本/ü" is 2f e6 97 a5 e6 9c ac 2f c3 bc.
        assertEquals(0x79eb4a705c1a518cL, PartitionHash.fnv1a64("/café".getBytes(StandardCharsets.UTF_8)));
        assertEquals(396, PartitionHash.slotOf("/caf\u00e9"));
        assertEquals(1576, PartitionHash.slotOf("/\u65e5\u672c/\u00fc"));
        long latin1 = PartitionHash.fnv1a64("/café".getBytes(StandardCharsets.ISO_8859_1));
        assertNotEquals(0x79eb4a705c1a518cL, latin1);
    }

    @Test
    void aNodePathHashesItsCellRelativeText() {
        assertEquals(2810, PartitionHash.slotOf(NodePath.parse("/ls/local/home/alice")));
        assertEquals(2810, PartitionHash.slotOf(NodePath.parse("/ls/other/home/alice")));
    }

    @Test
    void refusesPathsThatAreNotCellRelativeDirectories() {
        assertThrows(IllegalArgumentException.class, () -> PartitionHash.slotOf(""));
        assertThrows(IllegalArgumentException.class, () -> PartitionHash.slotOf("a/b"));
        assertThrows(IllegalArgumentException.class, () -> PartitionHash.slotOf("/a/"));
    }

    @Test
    void theNameAndSlotCountAreThePublishedOnes() {
        assertEquals("fnv1a64-v1", PartitionHash.NAME);
        assertEquals(4096, PartitionHash.SLOTS);
    }
}
