package io.chubby.mirror.internal.plan;

import io.chubby.api.NodePath;

/**
 * The two ends of one mirror: a source subtree (in the source cell) and a target subtree (in this
 * cell), and the mapping between their paths through the relative path both share.
 */
public record Subtrees(NodePath source, NodePath target) {

    public static Subtrees parse(String source, String target) {
        return new Subtrees(NodePath.parse(source), NodePath.parse(target));
    }

    /** The path of {@code relative} in the source cell. */
    public String sourcePath(String relative) {
        return join(source.toString(), relative);
    }

    /** The path of {@code relative} in this cell. */
    public String targetPath(String relative) {
        return join(target.toString(), relative);
    }

    /** Whether {@code path} (a full path in this cell) is the target subtree or lies below it. */
    public boolean targetContains(String path) {
        return isWithin(path, target.toString());
    }

    /** The relative path of a full source path, or null when it lies outside the source subtree. */
    public String relativeToSource(String path) {
        return relative(path, source.toString());
    }

    /** Joins a relative path and a child name. */
    public static String child(String relative, String name) {
        return relative.isEmpty() ? name : relative + "/" + name;
    }

    /** The parent of a relative path ({@code ""} for a top-level node), or null for the root itself. */
    public static String parent(String relative) {
        if (relative.isEmpty()) {
            return null;
        }
        int slash = relative.lastIndexOf('/');
        return slash < 0 ? "" : relative.substring(0, slash);
    }

    /** Whether {@code path} is {@code ancestor} or lies below it (relative or full paths alike). */
    public static boolean isWithin(String path, String ancestor) {
        if (ancestor.isEmpty()) {
            return true;
        }
        return path.equals(ancestor) || path.startsWith(ancestor.endsWith("/") ? ancestor : ancestor + "/");
    }

    private static String relative(String path, String root) {
        if (path.equals(root)) {
            return "";
        }
        String prefix = root + "/";
        return path.startsWith(prefix) ? path.substring(prefix.length()) : null;
    }

    private static String join(String root, String relative) {
        return relative.isEmpty() ? root : root + "/" + relative;
    }
}
