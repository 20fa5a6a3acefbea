package io.chubby.testkit;

import io.chubby.api.DirEntry;
import io.chubby.api.Stat;
import io.chubby.spi.NamespaceView;
import io.chubby.spi.NodeChange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link NamespaceView} over an in-memory tree the test builds: directories, files, their three
 * ACL names, and the generations the real cell keeps (instances only grow, a write bumps the
 * content generation, an ACL write the ACL generation). Each change returns the
 * {@link NodeChange} a replica's change feed would deliver for it, so a test can hand it to a
 * {@link io.chubby.spi.ChangeListener} itself (or withhold it, to check that a listener never
 * relies on the feed for correctness).
 *
 * <p>New nodes copy their parent's ACL names unless the test gives others (copy-on-create, as the
 * cell does). The root starts with no ACL names. Paths are cell-relative ({@code "/"},
 * {@code "/acl/admins"}). It also counts {@link #contentsReads() contents reads}, so cache tests
 * can tell a hit from a miss.
 *
 * <p>Threads: every method is synchronized; any thread may read or change it.
 */
public final class FakeNamespace implements NamespaceView {
    private record Node(long instance, long contentGeneration, long aclGeneration, boolean directory,
                        String readAcl, String writeAcl, String changeAcl, byte[] contents) {
        Stat stat() {
            return new Stat(instance, contentGeneration, 0, aclGeneration, 0, contents.length, directory, false,
                    readAcl, writeAcl, changeAcl, 0, 0);
        }
    }

    private final String cell;
    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private final AtomicInteger contentsReads = new AtomicInteger();
    private long nextInstance = 1;
    private long index;

    /** A namespace of cell {@code cell} holding only its root directory. */
    public FakeNamespace(String cell) {
        this.cell = cell;
        nodes.put("/", new Node(nextInstance++, 1, 1, true, "", "", "", new byte[0]));
    }

    @Override
    public String cellName() {
        return cell;
    }

    @Override
    public synchronized long appliedIndex() {
        return index;
    }

    @Override
    public synchronized Stat stat(String path) {
        Node n = nodes.get(path);
        return n == null ? null : n.stat();
    }

    @Override
    public synchronized byte[] contents(String path) {
        contentsReads.incrementAndGet();
        Node n = nodes.get(path);
        return n == null ? null : n.contents().clone();
    }

    @Override
    public synchronized List<DirEntry> children(String path) {
        List<DirEntry> out = new ArrayList<>();
        Node dir = nodes.get(path);
        if (dir == null || !dir.directory()) {
            return out;
        }
        String prefix = path.equals("/") ? "/" : path + "/";
        for (Map.Entry<String, Node> e : nodes.tailMap(prefix, false).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            String name = e.getKey().substring(prefix.length());
            if (!name.contains("/")) {
                out.add(new DirEntry(name, e.getValue().stat()));
            }
        }
        return out;
    }

    /** How many times {@link #contents} was called. */
    public int contentsReads() {
        return contentsReads.get();
    }

    /** Creates a directory inheriting its parent's ACL names. */
    public NodeChange mkdir(String path) {
        return create(path, true, new byte[0], null, null, null);
    }

    /** Creates a directory with these ACL names (null: the parent's). */
    public NodeChange mkdir(String path, String readAcl, String writeAcl, String changeAcl) {
        return create(path, true, new byte[0], readAcl, writeAcl, changeAcl);
    }

    /** Creates a file (UTF-8 contents) inheriting its parent's ACL names, or overwrites an existing one's contents. */
    public synchronized NodeChange put(String path, String contents) {
        if (nodes.containsKey(path)) {
            return write(path, contents);
        }
        return create(path, false, contents.getBytes(StandardCharsets.UTF_8), null, null, null);
    }

    /** Creates a file with these ACL names (null: the parent's). */
    public NodeChange put(String path, String contents, String readAcl, String writeAcl, String changeAcl) {
        return create(path, false, contents.getBytes(StandardCharsets.UTF_8), readAcl, writeAcl, changeAcl);
    }

    /** Rewrites an existing file's contents (content generation + 1). */
    public synchronized NodeChange write(String path, String contents) {
        Node n = existing(path);
        Node m = new Node(n.instance(), n.contentGeneration() + 1, n.aclGeneration(), n.directory(), n.readAcl(),
                n.writeAcl(), n.changeAcl(), contents.getBytes(StandardCharsets.UTF_8));
        nodes.put(path, m);
        return change(path, NodeChange.Kind.CONTENTS_CHANGED, m);
    }

    /** Sets the three ACL names of an existing node (ACL generation + 1); null keeps a name. */
    public synchronized NodeChange setAcls(String path, String readAcl, String writeAcl, String changeAcl) {
        Node n = existing(path);
        Node m = new Node(n.instance(), n.contentGeneration(), n.aclGeneration() + 1, n.directory(),
                readAcl == null ? n.readAcl() : readAcl, writeAcl == null ? n.writeAcl() : writeAcl,
                changeAcl == null ? n.changeAcl() : changeAcl, n.contents());
        nodes.put(path, m);
        return change(path, NodeChange.Kind.ACL_CHANGED, m);
    }

    /** Deletes a node (its children must be gone, as in the cell). */
    public synchronized NodeChange delete(String path) {
        Node n = existing(path);
        if (!children(path).isEmpty()) {
            throw new IllegalStateException(path + " has children");
        }
        nodes.remove(path);
        return change(path, NodeChange.Kind.DELETED, n);
    }

    private synchronized NodeChange create(String path, boolean directory, byte[] contents, String readAcl,
                                           String writeAcl, String changeAcl) {
        if (nodes.containsKey(path)) {
            throw new IllegalStateException(path + " exists");
        }
        int slash = path.lastIndexOf('/');
        String parentPath = slash == 0 ? "/" : path.substring(0, slash);
        Node parent = nodes.get(parentPath);
        if (parent == null || !parent.directory()) {
            throw new IllegalStateException("no directory " + parentPath + " to create " + path + " in");
        }
        Node n = new Node(nextInstance++, 1, 1, directory, readAcl == null ? parent.readAcl() : readAcl,
                writeAcl == null ? parent.writeAcl() : writeAcl, changeAcl == null ? parent.changeAcl() : changeAcl,
                contents);
        nodes.put(path, n);
        return change(path, NodeChange.Kind.CREATED, n);
    }

    private Node existing(String path) {
        Node n = nodes.get(path);
        if (n == null) {
            throw new IllegalStateException("no node " + path);
        }
        return n;
    }

    private NodeChange change(String path, NodeChange.Kind kind, Node n) {
        index++;
        return new NodeChange(index, 1, path, kind, n.instance(), n.contentGeneration(), n.aclGeneration(), 0, 0,
                n.contents().length, n.directory(), false, index);
    }
}
