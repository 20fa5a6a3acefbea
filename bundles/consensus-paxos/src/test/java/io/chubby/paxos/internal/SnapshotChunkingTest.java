package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SnapshotChunkingTest {

    private static byte[] data(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void splitsIntoBoundedPiecesAndReassembles() {
        byte[] snap = data(2_500_000);
        List<SnapshotChunker.Piece> pieces = SnapshotChunker.split(snap, SnapshotChunker.MAX_CHUNK_BYTES);
        assertEquals(3, pieces.size());
        assertTrue(pieces.stream().allMatch(p -> p.data().length <= SnapshotChunker.MAX_CHUNK_BYTES));
        assertTrue(pieces.get(2).last());
        SnapshotAssembler a = new SnapshotAssembler();
        assertNull(a.add(7, pieces.get(0).offset(), pieces.get(0).data(), false));
        assertNull(a.add(7, pieces.get(0).offset(), pieces.get(0).data(), false)); // duplicate restarts cleanly
        assertNull(a.add(7, pieces.get(1).offset(), pieces.get(1).data(), false));
        assertNull(a.add(7, pieces.get(1).offset(), pieces.get(1).data(), false)); // duplicate ignored
        assertArrayEquals(snap, a.add(7, pieces.get(2).offset(), pieces.get(2).data(), true));
        assertEquals(-1, a.pendingIndex());
    }

    @Test
    void emptySnapshotIsOneLastPiece() {
        List<SnapshotChunker.Piece> pieces = SnapshotChunker.split(new byte[0], 10);
        assertEquals(1, pieces.size());
        assertTrue(pieces.get(0).last());
        assertArrayEquals(new byte[0], new SnapshotAssembler().add(1, 0, pieces.get(0).data(), true));
    }

    @Test
    void gapDiscardsTransferAndNewIndexRestarts() {
        byte[] snap = data(30);
        List<SnapshotChunker.Piece> p = SnapshotChunker.split(snap, 10);
        SnapshotAssembler a = new SnapshotAssembler();
        a.add(5, 0, p.get(0).data(), false);
        assertNull(a.add(5, 20, p.get(2).data(), true)); // piece 1 lost
        assertEquals(-1, a.pendingIndex());
        assertNull(a.add(5, 10, p.get(1).data(), false)); // stray piece without a start
        a.add(5, 0, p.get(0).data(), false);
        a.add(9, 0, p.get(0).data(), false); // a newer snapshot replaces the older transfer
        assertEquals(9, a.pendingIndex());
        assertNull(a.add(5, 10, p.get(1).data(), false));
        a.add(9, 10, p.get(1).data(), false);
        assertArrayEquals(snap, a.add(9, 20, p.get(2).data(), true));
    }
}
