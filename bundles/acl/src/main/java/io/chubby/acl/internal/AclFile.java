package io.chubby.acl.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The contents of one ACL file, parsed: principal and group names, one per line. Blank lines and
 * everything after a {@code #} are ignored; names are trimmed. Pure.
 */
final class AclFile {
    /** The cell-relative directory of ACL files. */
    static final String DIR = "/acl/";

    private AclFile() {
    }

    /** The names an ACL file lists, in file order, duplicates once. */
    static Set<String> parse(byte[] contents) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : new String(contents, StandardCharsets.UTF_8).split("\n", -1)) {
            int hash = line.indexOf('#');
            String name = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return java.util.Collections.unmodifiableSet(names);
    }

    /**
     * True when {@code name} can name an ACL file: one path component of {@code [A-Za-z0-9._-]}
     * (never {@code .} or {@code ..}), so {@code /acl/<name>} is a file directly in {@code /acl}.
     */
    static boolean validName(String name) {
        if (name == null || name.isEmpty() || name.length() > 255 || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The cell-relative path of the ACL file {@code name}. */
    static String path(String name) {
        return DIR + name;
    }
}
