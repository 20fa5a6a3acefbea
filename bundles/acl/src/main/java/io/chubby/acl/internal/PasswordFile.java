package io.chubby.acl.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The passwords file ({@code acl.passwords.file}): lines {@code user:<hash>}, the hash in Shiro's
 * crypt format as {@code DefaultPasswordService.encryptPassword} writes it ({@code $shiro2$...});
 * blank lines and lines starting with {@code #} are ignored. Re-read when its modification time or
 * size changes (checked at each login), so an operator edits it in place. A missing or unreadable
 * file means no users (logged once per change of state); a malformed line is logged and skipped.
 *
 * <p>Threads: any (synchronized).
 */
final class PasswordFile {
    private static final Logger LOG = LoggerFactory.getLogger(PasswordFile.class);

    private final Path file;
    private Map<String, String> hashes = Map.of();
    private Object seen = "never read";

    PasswordFile(Path file) {
        this.file = file;
    }

    Path path() {
        return file;
    }

    /** The stored hash of {@code user}, or null if the file names no such user. */
    synchronized String hashOf(String user) {
        refresh();
        return hashes.get(user);
    }

    synchronized int users() {
        refresh();
        return hashes.size();
    }

    private void refresh() {
        Object now;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            now = a.lastModifiedTime().toMillis() + "/" + a.size() + "/" + a.fileKey();
        } catch (NoSuchFileException e) {
            now = "missing";
        } catch (IOException e) {
            now = "unreadable: " + e;
        }
        if (now.equals(seen)) {
            return;
        }
        seen = now;
        if (now instanceof String s && (s.equals("missing") || s.startsWith("unreadable"))) {
            hashes = Map.of();
            LOG.warn("passwords file {} is {}: no user can log in with a password until it is there", file, s);
            return;
        }
        try {
            hashes = parse(Files.readString(file, StandardCharsets.UTF_8));
            LOG.info("passwords file {} read: {} users", file, hashes.size());
        } catch (IOException e) {
            hashes = Map.of();
            LOG.warn("passwords file {} could not be read: {}; no user can log in with a password", file, e.toString());
        }
    }

    private Map<String, String> parse(String text) {
        Map<String, String> out = new HashMap<>();
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(':');
            if (colon <= 0 || colon == l.length() - 1) {
                LOG.warn("passwords file {} line {}: not 'user:hash', skipped", file, lineNo);
                continue;
            }
            String user = l.substring(0, colon).strip();
            if (out.put(user, l.substring(colon + 1).strip()) != null) {
                LOG.warn("passwords file {} line {}: user {} appears again, the last line wins", file, lineNo, user);
            }
        }
        return Map.copyOf(out);
    }
}
