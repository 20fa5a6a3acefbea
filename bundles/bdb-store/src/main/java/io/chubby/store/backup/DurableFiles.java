package io.chubby.store.backup;

import io.chubby.store.backup.BackupException.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/** File operations of backups: copies and writes that are fsynced, digests, and typed errors. */
final class DurableFiles {
    private static final int BUFFER = 1 << 16;

    private DurableFiles() {
    }

    /** Copies {@code from} to the new file {@code to}, fsyncs it and returns its digest (of what was written). */
    static FileDigest copy(Path from, Path to) throws IOException {
        MessageDigest sha = sha256();
        long size = 0;
        try (InputStream in = Files.newInputStream(from);
             FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] buf = new byte[BUFFER];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    out.write(bb);
                }
                size += n;
            }
            out.force(true);
        }
        return new FileDigest(to.getFileName().toString(), size, HexFormat.of().formatHex(sha.digest()));
    }

    /** Writes the new file {@code to} and fsyncs it. */
    static void write(Path to, byte[] bytes) throws IOException {
        try (FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer bb = ByteBuffer.wrap(bytes);
            while (bb.hasRemaining()) {
                out.write(bb);
            }
            out.force(true);
        }
    }

    /** The digest of an existing file. */
    static FileDigest digest(Path file) throws IOException {
        MessageDigest sha = sha256();
        long size = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[BUFFER];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
                size += n;
            }
        }
        return new FileDigest(file.getFileName().toString(), size, HexFormat.of().formatHex(sha.digest()));
    }

    /** fsyncs a directory, so the names created or renamed in it are durable. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Deletes a tree, best effort (cleaning up after a failure that is being reported). */
    static void deleteQuietly(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: the failure being reported matters more
                }
            });
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
    }

    /**
     * The directory {@code dir}, created with its parents when missing.
     *
     * @throws BackupException {@code TARGET_NOT_A_DIRECTORY} or {@code TARGET_NOT_WRITABLE}
     */
    static Path directory(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BackupException(Problem.TARGET_NOT_A_DIRECTORY, dir + " exists and is not a directory");
        }
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw failure("cannot create directory " + dir, e);
        }
    }

    /** The typed error for an I/O failure while writing {@code what}. */
    static BackupException failure(String what, IOException e) {
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : String.valueOf(e.getMessage());
        String message = what + ": " + e.getClass().getSimpleName() + ": " + reason;
        if (reason.contains("No space left") || reason.contains("Disk quota exceeded")) {
            return new BackupException(Problem.TARGET_FULL, message, e);
        }
        if (e instanceof NotDirectoryException || reason.contains("Not a directory")) {
            return new BackupException(Problem.TARGET_NOT_A_DIRECTORY, message, e);
        }
        if (e instanceof AccessDeniedException || reason.contains("Read-only file system")
                || reason.contains("Permission denied") || reason.contains("Operation not permitted")) {
            return new BackupException(Problem.TARGET_NOT_WRITABLE, message, e);
        }
        return new BackupException(Problem.IO, message, e);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
