package io.chubby.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Facts about the machine the figures come from. */
final class Machine {
    private Machine() {
    }

    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** Median time of a 4 KiB append + fdatasync in {@code dir}, in ms. */
    static double fsyncMedianMs(Path dir, int rounds) throws IOException {
        Path f = Files.createTempFile(dir, "fsync", ".bin");
        Stats s = new Stats();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.allocate(4096);
            for (int i = 0; i < rounds; i++) {
                b.clear();
                long t = System.nanoTime();
                ch.write(b);
                ch.force(false);
                s.add(System.nanoTime() - t);
            }
        } finally {
            Files.deleteIfExists(f);
        }
        return s.percentileMs(50);
    }
}
