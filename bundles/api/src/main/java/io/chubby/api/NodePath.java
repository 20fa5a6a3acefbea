package io.chubby.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A validated Chubby name: {@code /ls/<cell>/<component>/...}. The cell root {@code /ls/<cell>}
 * is a path with no components. Components are 1-255 bytes of {@code [A-Za-z0-9._-]}, never
 * {@code .} or {@code ..}; the whole name is at most {@value #MAX_LENGTH} bytes.
 *
 * <p>{@link #storageKey()} orders paths by component count first, then bytewise, so the children
 * of a directory are adjacent in a sorted store.
 */
public final class NodePath implements Comparable<NodePath> {
    public static final int MAX_LENGTH = 4096;
    public static final int MAX_COMPONENT = 255;
    /** The cell name meaning "the cell this replica or client is configured for". */
    public static final String LOCAL_CELL = "local";

    private final String cell;
    private final List<String> components;
    private final String text;

    private NodePath(String cell, List<String> components) {
        this.cell = cell;
        this.components = components;
        StringBuilder b = new StringBuilder("/ls/").append(cell);
        for (String c : components) {
            b.append('/').append(c);
        }
        this.text = b.toString();
    }

    /** Parses and validates a name; throws {@link ChubbyException} INVALID_ARGUMENT naming the fault. */
    public static NodePath parse(String name) {
        if (name == null || name.isEmpty()) {
            throw invalid(name, "empty name");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
            throw invalid(name.substring(0, 40) + "...", "name longer than " + MAX_LENGTH + " bytes");
        }
        if (!name.startsWith("/ls/")) {
            throw invalid(name, "names start with /ls/<cell>/");
        }
        String rest = name.substring(4);
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        String[] parts = rest.split("/", -1);
        checkComponent(name, parts[0], "cell name");
        List<String> comps = new ArrayList<>(parts.length - 1);
        for (int i = 1; i < parts.length; i++) {
            checkComponent(name, parts[i], "component");
            comps.add(parts[i]);
        }
        return new NodePath(parts[0], Collections.unmodifiableList(comps));
    }

    /** The root of a cell, {@code /ls/<cell>}. */
    public static NodePath root(String cell) {
        checkComponent("/ls/" + cell, cell, "cell name");
        return new NodePath(cell, List.of());
    }

    private static void checkComponent(String name, String c, String what) {
        if (c.isEmpty()) {
            throw invalid(name, "empty " + what);
        }
        if (c.equals(".") || c.equals("..")) {
            throw invalid(name, "'" + c + "' is not allowed as a " + what);
        }
        if (c.length() > MAX_COMPONENT) {
            throw invalid(name, what + " longer than " + MAX_COMPONENT + " bytes");
        }
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
                    || ch == '.' || ch == '_' || ch == '-';
            if (!ok) {
                throw invalid(name, "character '" + ch + "' not allowed in a " + what + " (use [A-Za-z0-9._-])");
            }
        }
    }

    private static ChubbyException invalid(String name, String why) {
        return new ChubbyException(ErrorCode.INVALID_ARGUMENT, "bad path '" + name + "': " + why);
    }

    public String cell() {
        return cell;
    }

    public List<String> components() {
        return components;
    }

    public int depth() {
        return components.size();
    }

    public boolean isRoot() {
        return components.isEmpty();
    }

    /** The last component, or the cell name for the root. */
    public String name() {
        return components.isEmpty() ? cell : components.get(components.size() - 1);
    }

    /** The parent directory; the root has none. */
    public NodePath parent() {
        if (isRoot()) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "the cell root has no parent");
        }
        return new NodePath(cell, components.subList(0, components.size() - 1));
    }

    public NodePath child(String name) {
        checkComponent(text + "/" + name, name, "component");
        List<String> c = new ArrayList<>(components);
        c.add(name);
        return new NodePath(cell, Collections.unmodifiableList(c));
    }

    /**
     * Resolves a relative name ("a/b") against this directory. Every component must be valid, as
     * in an absolute name: an empty component ("a//b", "a/", "/a") is INVALID_ARGUMENT, never
     * silently dropped. The empty name means this directory itself.
     */
    public NodePath resolve(String relative) {
        if (relative.isEmpty()) {
            return this;
        }
        NodePath p = this;
        for (String part : relative.split("/", -1)) {
            if (part.isEmpty()) {
                throw invalid(text + " + '" + relative + "'", "empty component in a relative name");
            }
            p = p.child(part);
        }
        if (p.text.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
            throw invalid(text + " + ...", "name longer than " + MAX_LENGTH + " bytes");
        }
        return p;
    }

    /** The same path in another cell (used to turn {@code local} into the configured cell name). */
    public NodePath inCell(String otherCell) {
        return otherCell.equals(cell) ? this : new NodePath(otherCell, components);
    }

    /** The path below the cell, "/" for the root, e.g. "/a/b". */
    public String cellRelative() {
        return isRoot() ? "/" : text.substring(4 + cell.length());
    }

    /**
     * Sort key for storage: 2 bytes of component count (big-endian), then the cell-relative path
     * bytes. Bytewise order of these keys puts a directory's children next to each other.
     */
    public byte[] storageKey() {
        byte[] rel = cellRelative().getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[rel.length + 2];
        k[0] = (byte) (components.size() >>> 8);
        k[1] = (byte) components.size();
        System.arraycopy(rel, 0, k, 2, rel.length);
        return k;
    }

    /** The smallest storage key of any child of this directory (inclusive bound for a range scan). */
    public byte[] childrenKeyFrom() {
        String prefix = isRoot() ? "/" : cellRelative() + "/";
        byte[] rel = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[rel.length + 2];
        int n = components.size() + 1;
        k[0] = (byte) (n >>> 8);
        k[1] = (byte) n;
        System.arraycopy(rel, 0, k, 2, rel.length);
        return k;
    }

    /** The exclusive upper bound of a range scan over this directory's children. */
    public byte[] childrenKeyTo() {
        byte[] from = childrenKeyFrom();
        from[from.length - 1]++; // '/' + 1 == '0': just past every name with this prefix
        return from;
    }

    /** Rebuilds a path of cell {@code cell} from a {@link #storageKey()}. */
    public static NodePath fromStorageKey(String cell, byte[] key) {
        String rel = new String(key, 2, key.length - 2, StandardCharsets.UTF_8);
        return rel.equals("/") ? root(cell) : parse("/ls/" + cell + rel);
    }

    @Override
    public int compareTo(NodePath o) {
        int c = Integer.compare(components.size(), o.components.size());
        return c != 0 ? c : text.compareTo(o.text);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodePath p && p.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
