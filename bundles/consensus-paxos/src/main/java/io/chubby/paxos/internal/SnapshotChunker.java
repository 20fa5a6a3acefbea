package io.chubby.paxos.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Splits a serialized state machine snapshot into bounded pieces for the peer transport. */
final class SnapshotChunker {
    /** Frames above ~1 MiB + 64 KiB are refused by transports; keep a chunk safely below that. */
    static final int MAX_CHUNK_BYTES = 1 << 20;

    private SnapshotChunker() {
    }

    /** One piece of a snapshot: {@code data} starts at byte {@code offset}; {@code last} ends it. */
    record Piece(long offset, byte[] data, boolean last) {
    }

    static List<Piece> split(byte[] snapshot, int maxChunk) {
        if (maxChunk <= 0) {
            throw new IllegalArgumentException("chunk size must be positive, was " + maxChunk);
        }
        List<Piece> out = new ArrayList<>();
        int off = 0;
        do {
            int end = Math.min(snapshot.length, off + maxChunk);
            out.add(new Piece(off, Arrays.copyOfRange(snapshot, off, end), end == snapshot.length));
            off = end;
        } while (off < snapshot.length);
        return out;
    }
}
