package io.chubby.cli.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.Event;
import io.chubby.api.MasterInfo;
import io.chubby.api.NodePath;
import io.chubby.api.OpenMode;
import io.chubby.api.OpenOptions;
import io.chubby.api.SessionState;
import io.chubby.api.Stat;
import io.chubby.client.AdminResult;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.Contents;
import io.chubby.client.Handle;
import io.chubby.client.ReplicaStatus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * An in-memory cell for CLI tests: a node tree with the client library's semantics as far as the
 * commands use them, replica statuses, master location and admin answers. Synchronised: the
 * status command probes from several threads.
 */
public final class FakeCell implements CellAccess {
    /** A node: mutable fields guarded by the cell's lock. */
    public static final class Node {
        public byte[] data = new byte[0];
        public boolean directory;
        public boolean ephemeral;
        public long instance;
        public long contentGeneration;
        public long aclGeneration;
        public String readAcl = "all";
        public String writeAcl = "all";
        public String changeAcl = "all";
        public int openHandles;
        /** The handle holding the node's (exclusive, in this fake) lock, or null; bumps generation when taken. */
        public Object lockHolder;
        public long lockGeneration;
    }

    private final TreeMap<String, Node> nodes = new TreeMap<>();
    private final Map<String, ReplicaStatus> statuses = new HashMap<>();
    private long nextInstance = 1;
    public MasterInfo master = new MasterInfo("local", 0, null, 0, List.of());
    public final List<ClientOptions> connects = new ArrayList<>();
    public final List<String> adminCalls = new ArrayList<>();
    public AdminResult adminAnswer = new AdminResult(0, "ok\n");
    public int openClients;
    /** Makes every session report EXPIRED, as after losing the cell for the grace period. */
    public volatile boolean expireSessions;
    /** Per-handle event listeners registered by commands (e.g. watch), with the events they subscribed to. */
    public final List<Consumer<Event>> handleListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    public final List<java.util.Set<io.chubby.api.EventType>> subscriptions = new java.util.concurrent.CopyOnWriteArrayList<>();

    public FakeCell() {
        Node root = new Node();
        root.directory = true;
        nodes.put("/ls/local", root);
    }

    public synchronized void answer(String address, ReplicaStatus s) {
        statuses.put(address, s);
    }

    public synchronized Node node(String path) {
        return nodes.get(NodePath.parse(path).toString());
    }

    public synchronized boolean exists(String path) {
        return node(path) != null;
    }

    public synchronized String contents(String path) {
        return new String(node(path).data, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public synchronized ChubbyClient connect(ClientOptions options) {
        connects.add(options);
        openClients++;
        return new Client(options);
    }

    @Override
    public synchronized ReplicaStatus status(String address, Duration timeout) {
        ReplicaStatus s = statuses.get(address);
        if (s == null) {
            throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "replica " + address + " did not answer");
        }
        return s;
    }

    @Override
    public synchronized MasterInfo masterLocation(String address, Duration timeout) {
        if (!statuses.containsKey(address)) {
            throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "replica " + address + " did not answer");
        }
        return master;
    }

    @Override
    public synchronized AdminResult admin(String address, String commandLine, Duration timeout) {
        adminCalls.add(address + " " + commandLine);
        return adminAnswer;
    }

    private Node require(String path) {
        Node n = nodes.get(path);
        if (n == null) {
            throw new ChubbyException(ErrorCode.NO_SUCH_NODE, path + " does not exist");
        }
        return n;
    }

    private static Stat stat(Node n) {
        return new Stat(n.instance, n.contentGeneration, n.lockGeneration, n.aclGeneration, n.data.length * 31L, n.data.length,
                n.directory, n.ephemeral, n.readAcl, n.writeAcl, n.changeAcl, 1_700_000_000_000L, 1_700_000_001_000L);
    }

    private synchronized FakeHandle open(String raw, OpenOptions o) {
        String path = NodePath.parse(raw).toString();
        Node n = nodes.get(path);
        boolean created = false;
        if (n != null && o.create() == CreateMode.MUST) {
            throw new ChubbyException(ErrorCode.EXISTS, path + " already exists");
        }
        if (n == null) {
            if (o.create() == CreateMode.NO) {
                throw new ChubbyException(ErrorCode.NO_SUCH_NODE, path + " does not exist");
            }
            Node parent = require(NodePath.parse(path).parent().toString());
            if (!parent.directory) {
                throw new ChubbyException(ErrorCode.NOT_A_DIRECTORY, NodePath.parse(path).parent() + " is a file");
            }
            n = new Node();
            n.directory = o.directory();
            n.ephemeral = o.ephemeral();
            n.data = o.initialContents();
            n.instance = nextInstance++;
            n.contentGeneration = 1;
            nodes.put(path, n);
            created = true;
        }
        n.openHandles++;
        return new FakeHandle(path, n, created, o);
    }

    /** A handle; closing an ephemeral node's last handle deletes it, as the cell does. */
    final class FakeHandle implements Handle {
        private final String path;
        private final Node node;
        private final boolean created;
        private final OpenOptions options;
        private boolean closed;

        FakeHandle(String path, Node node, boolean created, OpenOptions options) {
            this.path = path;
            this.node = node;
            this.created = created;
            this.options = options;
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public boolean created() {
            return created;
        }

        @Override
        public Stat openStat() {
            synchronized (FakeCell.this) {
                return stat(node);
            }
        }

        @Override
        public void addEventListener(Consumer<Event> listener) {
            subscriptions.add(options.events());
            handleListeners.add(listener);
        }

        @Override
        public void removeEventListener(Consumer<Event> listener) {
            handleListeners.remove(listener);
        }

        @Override
        public Contents getContentsAndStat() {
            synchronized (FakeCell.this) {
                if (node.directory) {
                    throw new ChubbyException(ErrorCode.IS_A_DIRECTORY, path + " is a directory");
                }
                return new Contents(node.data, stat(node));
            }
        }

        @Override
        public Stat getStat() {
            return openStat();
        }

        @Override
        public List<DirEntry> readDir() {
            synchronized (FakeCell.this) {
                if (!node.directory) {
                    throw new ChubbyException(ErrorCode.NOT_A_DIRECTORY, path + " is not a directory");
                }
                List<DirEntry> out = new ArrayList<>();
                String prefix = path + "/";
                for (Map.Entry<String, Node> e : nodes.tailMap(prefix).entrySet()) {
                    if (!e.getKey().startsWith(prefix)) {
                        break;
                    }
                    String rest = e.getKey().substring(prefix.length());
                    if (!rest.contains("/")) {
                        out.add(new DirEntry(rest, stat(e.getValue())));
                    }
                }
                return out;
            }
        }

        @Override
        public Stat setContents(byte[] data) {
            synchronized (FakeCell.this) {
                checkWrite();
                node.data = data.clone();
                node.contentGeneration++;
                return stat(node);
            }
        }

        @Override
        public Stat setContents(byte[] data, long expectedGeneration) {
            synchronized (FakeCell.this) {
                if (node.contentGeneration != expectedGeneration) {
                    throw new ChubbyException(ErrorCode.CAS_MISMATCH, path + " is at content generation "
                            + node.contentGeneration + ", not " + expectedGeneration);
                }
                return setContents(data);
            }
        }

        @Override
        public void setAcl(String readAcl, String writeAcl, String changeAcl) {
            synchronized (FakeCell.this) {
                if (!options.modes().contains(OpenMode.CHANGE_ACL)) {
                    throw new ChubbyException(ErrorCode.PERMISSION_DENIED, "handle not opened for CHANGE_ACL");
                }
                node.readAcl = readAcl == null ? node.readAcl : readAcl;
                node.writeAcl = writeAcl == null ? node.writeAcl : writeAcl;
                node.changeAcl = changeAcl == null ? node.changeAcl : changeAcl;
                node.aclGeneration++;
            }
        }

        @Override
        public void delete() {
            synchronized (FakeCell.this) {
                checkWrite();
                if (node.directory && !readDir().isEmpty()) {
                    throw new ChubbyException(ErrorCode.NOT_EMPTY, path + " is not empty");
                }
                if (path.equals("/ls/local")) {
                    throw new ChubbyException(ErrorCode.INVALID_ARGUMENT, "cannot delete the cell root");
                }
                nodes.remove(path);
            }
        }

        private void checkWrite() {
            if (!options.canWrite()) {
                throw new ChubbyException(ErrorCode.PERMISSION_DENIED, "handle not opened for WRITE");
            }
        }

        @Override
        public void close() {
            synchronized (FakeCell.this) {
                if (closed) {
                    return;
                }
                closed = true;
                if (node.lockHolder == this) {
                    node.lockHolder = null;
                }
                node.openHandles--;
                if (node.ephemeral && node.openHandles == 0) {
                    nodes.remove(path);
                }
            }
        }

        @Override
        public boolean isClosed() {
            synchronized (FakeCell.this) {
                return closed;
            }
        }

        // The CLI never uses these; the fake says so loudly if that changes.
        @Override
        public Handle open(String relativeName, OpenOptions options) {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public CompletableFuture<Handle> openAsync(String relativeName, OpenOptions options) {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public CompletableFuture<Contents> getContentsAndStatAsync() {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public CompletableFuture<Stat> getStatAsync() {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public CompletableFuture<List<DirEntry>> readDirAsync() {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public CompletableFuture<Stat> setContentsAsync(byte[] data) {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public CompletableFuture<Stat> setContentsAsync(byte[] data, long expectedGeneration) {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public CompletableFuture<Void> setAclAsync(String readAcl, String writeAcl, String changeAcl) {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public CompletableFuture<Void> deleteAsync() {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public CompletableFuture<Void> closeAsync() {
            close();
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void poison() {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public boolean isPoisoned() {
            return false;
        }

        // ---- locks (exclusive only; a busy lock is never waited for: acquire answers false) ----

        @Override
        public CompletableFuture<Boolean> tryAcquireAsync(io.chubby.api.LockMode mode) {
            synchronized (FakeCell.this) {
                checkWrite();
                if (node.lockHolder == null) {
                    node.lockHolder = this;
                    node.lockGeneration++;
                }
                return CompletableFuture.completedFuture(node.lockHolder == this);
            }
        }

        @Override
        public CompletableFuture<Boolean> acquireAsync(io.chubby.api.LockMode mode, Duration timeout) {
            return tryAcquireAsync(mode);
        }

        @Override
        public CompletableFuture<Void> releaseAsync() {
            synchronized (FakeCell.this) {
                if (node.lockHolder == this) {
                    node.lockHolder = null;
                }
                return CompletableFuture.completedFuture(null);
            }
        }

        @Override
        public CompletableFuture<io.chubby.client.Sequencer> getSequencerAsync() {
            synchronized (FakeCell.this) {
                if (node.lockHolder != this) {
                    return CompletableFuture.failedFuture(new ChubbyException(ErrorCode.INVALID_ARGUMENT,
                            "handle does not hold the lock on " + path));
                }
                return CompletableFuture.completedFuture(io.chubby.client.Sequencer.decode(
                        sequencerBytes(path, node.instance, node.lockGeneration)));
            }
        }

        @Override
        public CompletableFuture<io.chubby.client.LockInfo> lockInfoAsync() {
            synchronized (FakeCell.this) {
                List<io.chubby.client.LockInfo.Party> holders = node.lockHolder == null ? List.of()
                        : List.of(new io.chubby.client.LockInfo.Party(9, 1, io.chubby.api.LockMode.EXCLUSIVE,
                        "chubby-cli"));
                return CompletableFuture.completedFuture(new io.chubby.client.LockInfo(node.lockGeneration, holders,
                        List.of(), 0));
            }
        }
    }

    /** Sequencer bytes in the real layout, with zero check digits (the fake does not authenticate). */
    static byte[] sequencerBytes(String path, long instance, long generation) {
        byte[] p = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return java.nio.ByteBuffer.allocate(3 + 4 + p.length + 8 + 1 + 8 + 16).put((byte) 0x53).put((byte) 1)
                .put((byte) 1).putInt(p.length).put(p).putLong(instance).put((byte) 0).putLong(generation).array();
    }

    /** CheckSequencer: valid while the named node's lock is held at that generation. */
    synchronized io.chubby.client.SequencerCheck check(byte[] bytes) {
        io.chubby.client.Sequencer s;
        try {
            s = io.chubby.client.Sequencer.decode(bytes);
        } catch (ChubbyException e) {
            return new io.chubby.client.SequencerCheck(false, "forged: " + e.detail());
        }
        Node n = nodes.get(s.path());
        if (n == null || n.instance != s.instance()) {
            return new io.chubby.client.SequencerCheck(false, "node " + s.path() + " no longer exists");
        }
        if (n.lockHolder == null || n.lockGeneration != s.generation()) {
            return new io.chubby.client.SequencerCheck(false, "the lock on " + s.path() + " is not held any more");
        }
        return new io.chubby.client.SequencerCheck(true, "");
    }

    /** A session: the convenience calls open a handle, make one call and close it. */
    final class Client implements ChubbyClient {
        private final ClientOptions options;
        /** Kept, never told: sessions of the fake never change state. */
        private final List<Consumer<SessionState>> sessionListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
        private boolean closed;

        Client(ClientOptions options) {
            this.options = options;
        }

        @Override
        public ClientOptions options() {
            return options;
        }

        @Override
        public Handle open(String path, OpenOptions o) {
            return FakeCell.this.open(path, o);
        }

        @Override
        public byte[] read(String path) {
            try (Handle h = open(path, OpenOptions.read())) {
                return h.getContentsAndStat().data();
            }
        }

        @Override
        public Stat write(String path, byte[] data) {
            try (Handle h = open(path, OpenOptions.write().withCreate(CreateMode.MAY).withInitialContents(data))) {
                return h.created() ? h.openStat() : h.setContents(data);
            }
        }

        @Override
        public void mkdir(String path) {
            open(path, OpenOptions.read().asDirectory().withCreate(CreateMode.MUST)).close();
        }

        @Override
        public void delete(String path) {
            try (Handle h = open(path, OpenOptions.write())) {
                h.delete();
            }
        }

        @Override
        public List<DirEntry> list(String path) {
            try (Handle h = open(path, OpenOptions.read())) {
                return h.readDir();
            }
        }

        @Override
        public Stat stat(String path) {
            try (Handle h = open(path, OpenOptions.read())) {
                return h.getStat();
            }
        }

        @Override
        public boolean exists(String path) {
            return FakeCell.this.exists(path);
        }

        @Override
        public MasterInfo masterInfo() {
            return master;
        }

        @Override
        public long sessionId() {
            return 1;
        }

        @Override
        public CompletableFuture<io.chubby.client.SequencerCheck> checkSequencerAsync(byte[] sequencer) {
            return CompletableFuture.completedFuture(check(sequencer));
        }

        @Override
        public SessionState sessionState() {
            return closed || expireSessions ? SessionState.EXPIRED : SessionState.SAFE;
        }

        @Override
        public void close() {
            synchronized (FakeCell.this) {
                if (!closed) {
                    closed = true;
                    openClients--;
                }
            }
        }

        // The CLI never uses these; the fake says so loudly if that changes.
        @Override
        public CompletableFuture<Handle> openAsync(String path, OpenOptions options) {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public CompletableFuture<byte[]> readAsync(String path) {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public CompletableFuture<Stat> writeAsync(String path, byte[] data) {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public CompletableFuture<Void> mkdirAsync(String path) {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public CompletableFuture<Void> deleteAsync(String path) {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public CompletableFuture<List<DirEntry>> listAsync(String path) {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public CompletableFuture<Stat> statAsync(String path) {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public CompletableFuture<Boolean> existsAsync(String path) {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public void addSessionListener(Consumer<SessionState> listener) {
            sessionListeners.add(listener);
        }

        @Override
        public void removeSessionListener(Consumer<SessionState> listener) {
            sessionListeners.remove(listener);
        }

        @Override
        public void addEventListener(Consumer<Event> listener) {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }

        @Override
        public void removeEventListener(Consumer<Event> listener) {
            throw new AssertionError("the CLI does not call this; extend FakeCell if a command starts to");
        }
    }
}
