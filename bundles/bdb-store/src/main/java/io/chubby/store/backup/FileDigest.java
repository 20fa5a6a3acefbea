package io.chubby.store.backup;

/**
 * One copied file of a backup.
 *
 * @param name   file name inside the backup's {@code je/} directory
 * @param size   bytes
 * @param sha256 lower-case hex SHA-256 of the content
 */
public record FileDigest(String name, long size, String sha256) {
    public FileDigest {
        if (name.isEmpty() || name.contains("/") || name.contains(" ") || size < 0 || sha256.length() != 64) {
            throw new IllegalArgumentException("bad file digest " + name + " " + size + " " + sha256);
        }
    }
}
