package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.api.ErrorCode;
import io.chubby.api.OpenMode;
import io.chubby.api.OpenOptions;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.ClientSecurity;
import io.chubby.client.Handle;
import io.chubby.client.MasterChannel;
import io.chubby.protocol.CreateSessionRequest;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Access control end to end (issue 16) on a real 5-replica cell started with {@code cell up --tls}:
 * TLS on every client and peer link, {@code cell.acl.enforce=true}, the acl bundle deciding with
 * the replicated ACL files. A matrix of principals (a superuser, two certificate principals, a
 * password principal, anonymous) x operations (read, write, change-ACL, create a child) x ACL
 * setups (inherited names, explicit names, a group of a group, a missing ACL file, a group-only
 * ACL) is checked over the wire against a model of the ACL files, before and after a kill -9 of the
 * master; then the ACL file changed under an open handle, anonymous sessions switched on at runtime,
 * another principal's session and handle presented on the wire, and a sequencer checked by a
 * principal who may not read its lock.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AccessControlIT {
    private static final String ROOT = "/ls/local/svc";
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    /** The ACL files the test writes, as the model sees them (name -> entries). */
    private static final Map<String, List<String>> FILES = new LinkedHashMap<>();

    static {
        FILES.put("devs", List.of("alice"));
        FILES.put("svc-writers", List.of("devs", "bob"));
        FILES.put("readers", List.of("alice", "bob", "carol"));
        FILES.put("anon-readers", List.of("anonymous", "carol"));
        FILES.put("admins-only", List.of("admin"));
    }

    /** A node of the matrix and its read, write and change-ACL names (null: inherited from ROOT). */
    private record Node(String name, String read, String write, String change) {
        String path() {
            return ROOT + "/" + name;
        }

        String acl(Op op) {
            return switch (op) {
                case READ -> read == null ? "readers" : read;
                case WRITE, CREATE_CHILD -> write == null ? "svc-writers" : write;
                case CHANGE_ACL -> change == null ? "devs" : change;
            };
        }
    }

    private static final List<Node> NODES = List.of(
            new Node("inherited", null, null, null),
            new Node("explicit", "anon-readers", "devs", "admins-only"),
            new Node("orphan", "readers", "no-such-acl", "no-such-acl"),
            new Node("grouped", "devs", "devs", "devs"));

    private enum Op { READ, WRITE, CHANGE_ACL, CREATE_CHILD }

    private static final List<String> PRINCIPALS = List.of("admin", "alice", "bob", "carol", "anonymous");

    private static LocalCell cell;
    private static final Map<String, ChubbyClient> clients = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        cell = new LocalCell(5);
        LocalCell.Run up = cell.up("--tls");
        assertEquals(0, up.exit(), () -> up + cell.logs());
        SecuredCell.setUp(cell);
        ChubbyClient admin = client("admin");
        admin.ensureDirectory("/ls/local/acl");
        for (var f : FILES.entrySet()) {
            admin.write("/ls/local/acl/" + f.getKey(), String.join("\n", f.getValue()).getBytes(StandardCharsets.UTF_8));
        }
        try (Handle root = admin.open(ROOT, OpenOptions.read().withCreate(CreateMode.MAY).asDirectory()
                .withAcls("readers", "svc-writers", "devs"))) {
            assertEquals("readers", root.openStat().readAcl());
        }
        for (Node n : NODES) {
            OpenOptions o = OpenOptions.write().withCreate(CreateMode.MAY)
                    .withInitialContents(n.name().getBytes(StandardCharsets.UTF_8));
            if (n.read() != null) {
                o = o.withAcls(n.read(), n.write(), n.change());
            }
            try (Handle h = admin.open(n.path(), o)) {
                assertEquals(n.acl(Op.READ), h.openStat().readAcl(), "copy-on-create or explicit names");
            }
        }
    }

    @AfterAll
    static void stop() {
        clients.values().forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException e) {
                // the cell may be gone already
            }
        });
        if (cell != null) {
            cell.destroy();
        }
    }

    /** A client of {@code who}: a certificate (admin, alice, carol), a password (bob), or neither. */
    private static ChubbyClient client(String who) {
        return clients.computeIfAbsent(who, w -> ChubbyClient.connect(SecuredCell.options(cell, w)));
    }

    // ------------------------------------------------------------------ the model

    private static boolean member(String principal, String aclName, int depth) {
        List<String> entries = FILES.get(aclName);
        if (entries == null || depth > 8) {
            return false;
        }
        for (String e : entries) {
            if (e.equals(principal) || FILES.containsKey(e) && member(principal, e, depth + 1)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What the ACL files grant: a superuser everything; creating a child needs write on the
     * directory; opening a node needs every requested mode, and every mode includes READ (as in
     * Chubby), so writing or changing the ACL names needs the read ACL too.
     */
    private static boolean allowed(String principal, Node n, Op op) {
        if (principal.equals("admin")) {
            return true;
        }
        if (op == Op.CREATE_CHILD) {
            return member(principal, "svc-writers", 0);
        }
        return member(principal, n.acl(Op.READ), 0) && member(principal, n.acl(op), 0);
    }

    // ------------------------------------------------------------------ the matrix

    /** One case run over the wire: null when it was allowed, else the error. */
    private static ChubbyException attempt(String who, Node n, Op op) {
        try {
            ChubbyClient c = client(who);
            switch (op) {
                case READ -> {
                    try (Handle h = c.open(n.path(), OpenOptions.read())) {
                        assertEquals(n.name(), new String(h.getContentsAndStat().data(), StandardCharsets.UTF_8));
                    }
                }
                case WRITE -> {
                    try (Handle h = c.open(n.path(), OpenOptions.write())) {
                        h.setContents(n.name().getBytes(StandardCharsets.UTF_8));
                    }
                }
                case CHANGE_ACL -> {
                    try (Handle h = c.open(n.path(), OpenOptions.read().withModes(Set.of(OpenMode.READ,
                            OpenMode.CHANGE_ACL)))) {
                        var s = h.getStat();
                        h.setAcl(s.readAcl(), s.writeAcl(), s.changeAcl());
                    }
                }
                case CREATE_CHILD -> {
                    String child = ROOT + "/new-" + who + "-" + n.name() + "-" + System.nanoTime();
                    try (Handle h = c.open(child, OpenOptions.write().withCreate(CreateMode.MUST))) {
                        assertTrue(h.created());
                    }
                    client("admin").delete(child);
                }
            }
            return null;
        } catch (ChubbyException e) {
            return e;
        }
    }

    private static int runMatrix(String when) {
        List<String> wrong = new ArrayList<>();
        int cases = 0;
        for (String who : PRINCIPALS) {
            for (Node n : NODES) {
                for (Op op : Op.values()) {
                    if (op == Op.CREATE_CHILD && n != NODES.get(0)) {
                        continue; // creating depends on the directory only: one case per principal
                    }
                    cases++;
                    boolean expected = !who.equals("anonymous") && allowed(who, n, op);
                    ChubbyException e = attempt(who, n, op);
                    if (expected && e != null) {
                        wrong.add(who + " " + op + " " + n.path() + ": expected allowed, got " + e);
                    } else if (!expected && (e == null || e.code() != ErrorCode.PERMISSION_DENIED)) {
                        wrong.add(who + " " + op + " " + n.path() + ": expected PERMISSION_DENIED, got "
                                + (e == null ? "success" : e.toString()));
                    }
                }
            }
        }
        assertTrue(wrong.isEmpty(), () -> when + ": " + wrong.size() + " wrong decisions:\n" + String.join("\n", wrong));
        return cases;
    }

    @Test
    @Order(1)
    void everyPrincipalGetsWhatTheAclFilesGrantItAndNothingElse() {
        int cases = runMatrix("before the failover");
        assertTrue(cases >= 40, "at least 40 cases, ran " + cases);
    }

    @Test
    @Order(2)
    void aDeniedCallNamesThePrincipalTheRightTheNodeAndTheAclFile() {
        ChubbyException e = attempt("carol", NODES.get(0), Op.WRITE);
        assertEquals(ErrorCode.PERMISSION_DENIED, e.code());
        assertTrue(e.getMessage().contains("carol may not write " + ROOT + "/inherited (write ACL "
                + "/ls/local/acl/svc-writers)"), e.getMessage());
        ChubbyException missing = attempt("alice", NODES.get(2), Op.WRITE);
        assertTrue(missing.getMessage().contains("/ls/local/acl/no-such-acl does not exist"), missing.getMessage());
    }

    @Test
    @Order(3)
    void anAclFileChangeRevokesAnOpenHandleFromItsNextCall() {
        ChubbyClient alice = client("alice");
        ChubbyClient admin = client("admin");
        try (Handle h = alice.open(NODES.get(0).path(), OpenOptions.write())) {
            h.setContents("alice was here".getBytes(StandardCharsets.UTF_8));
            admin.write("/ls/local/acl/devs", "somebody-else".getBytes(StandardCharsets.UTF_8));
            // No wait: no decision made after the ACL file's write was acknowledged may use the old contents.
            ChubbyException e = expectDenied(() -> h.setContents("again".getBytes(StandardCharsets.UTF_8)));
            assertTrue(e.getMessage().contains("alice may not write"), e.getMessage());
            assertEquals("alice was here", new String(admin.read(NODES.get(0).path()), StandardCharsets.UTF_8));
            admin.write("/ls/local/acl/devs", "alice".getBytes(StandardCharsets.UTF_8));
            h.setContents("back".getBytes(StandardCharsets.UTF_8));
        }
        admin.write(NODES.get(0).path(), "inherited".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @Order(5)
    void anotherPrincipalsSessionAndHandleAreRefusedOnTheWire() throws Exception {
        try (MasterChannel alice = ChubbyClient.openChannel(SecuredCell.options(cell, "alice"));
             MasterChannel bob = ChubbyClient.openChannel(SecuredCell.options(cell, "bob"))) {
            Response created = call(alice, Request.newBuilder().setCreateSession(
                    CreateSessionRequest.newBuilder().setClientName("alice-raw")), MasterChannel.Retry.IDEMPOTENT);
            long session = created.getCreateSession().getSessionId();
            Response opened = call(alice, Request.newBuilder().setSessionId(session).setOpen(OpenRequest.newBuilder()
                    .setPath(NODES.get(0).path()).setModeBits(1)), MasterChannel.Retry.IDEMPOTENT);
            assertTrue(!opened.hasError(), () -> opened.toString());
            var handle = opened.getOpen().getHandle();
            Response stolen = call(bob, Request.newBuilder().setSessionId(session).setGetContents(
                    GetContentsRequest.newBuilder().setHandle(handle)), MasterChannel.Retry.IDEMPOTENT);
            assertEquals(ErrorCode.PERMISSION_DENIED.wire(), stolen.getError().getCode(), stolen.toString());
            assertTrue(stolen.getError().getMessage().contains("belongs to alice, not to bob"), stolen.toString());
            Response own = call(bob, Request.newBuilder().setCreateSession(
                    CreateSessionRequest.newBuilder().setClientName("bob-raw")), MasterChannel.Retry.IDEMPOTENT);
            Response foreign = call(bob, Request.newBuilder().setSessionId(own.getCreateSession().getSessionId())
                    .setGetContents(GetContentsRequest.newBuilder().setHandle(handle)), MasterChannel.Retry.IDEMPOTENT);
            assertEquals(ErrorCode.BAD_HANDLE.wire(), foreign.getError().getCode(), foreign.toString());
            // Raw sessions send no KeepAlives: close them, or a later failover makes writes to what
            // they may have cached wait for their expiry (the longest lease an earlier master could grant).
            for (var closing : List.of(Map.entry(alice, session),
                    Map.entry(bob, own.getCreateSession().getSessionId()))) {
                Response closed = call(closing.getKey(), Request.newBuilder().setSessionId(closing.getValue())
                        .setCloseSession(io.chubby.protocol.CloseSessionRequest.getDefaultInstance()),
                        MasterChannel.Retry.IDEMPOTENT);
                assertTrue(!closed.hasError(), closed::toString);
            }
        }
    }

    @Test
    @Order(4)
    void aSequencerIsCheckedOnlyByPrincipalsWhoMayReadTheLock() {
        Node grouped = NODES.get(3); // read, write and change-ACL: devs (alice)
        try (Handle lock = client("alice").open(grouped.path(), OpenOptions.write())) {
            lock.acquire(io.chubby.api.LockMode.EXCLUSIVE);
            byte[] sequencer = lock.getSequencer().bytes();
            assertTrue(client("alice").checkSequencer(sequencer).valid(), "the holder's own check");
            assertTrue(client("admin").checkSequencer(sequencer).valid(), "a superuser's");
            ChubbyException denied = expectDenied(() -> client("carol").checkSequencer(sequencer));
            assertTrue(denied.getMessage().contains("carol may not read " + grouped.path()
                    + " (read ACL /ls/local/acl/devs)"), denied.getMessage());
            lock.release();
        }
    }

    @Test
    @Order(6)
    void theSameDecisionsAfterTheMasterIsKilled() throws Exception {
        // Sessions are closed first: a session whose client vanished with the old master could hold
        // cached copies, and the new master makes writes to them wait until such a session expires.
        clients.values().forEach(ChubbyClient::close);
        clients.clear();
        SecuredCell.killMaster(cell);
        long deadline = System.currentTimeMillis() + DEADLINE.toMillis();
        while (true) {
            try {
                client("admin").read(NODES.get(0).path());
                break;
            } catch (ChubbyException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                clients.remove("admin");
                Thread.sleep(200);
            }
        }
        runMatrix("after the failover");
    }

    @Test
    @Order(7)
    void anonymousSessionsFollowTheConfigurationAndTheAnonymousPrincipalFollowsTheAcls() throws Exception {
        ChubbyException refused = expectDenied(() -> client("anonymous").read(NODES.get(1).path()));
        assertTrue(refused.getMessage().contains("anonymous"), refused.getMessage());
        ChubbyClient denied = clients.remove("anonymous");
        if (denied != null) {
            denied.close();
        }
        SecuredCell.allowAnonymous(cell, true);
        long deadline = System.currentTimeMillis() + DEADLINE.toMillis();
        ChubbyClient anon = null;
        while (anon == null) {
            try {
                ChubbyClient c = ChubbyClient.connect(SecuredCell.options(cell, "anonymous"));
                c.read(NODES.get(1).path());
                anon = c;
            } catch (ChubbyException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(300);
            }
        }
        clients.put("anonymous", anon);
        // anon-readers lists anonymous: read allowed; everything else follows the files.
        List<String> wrong = new ArrayList<>();
        for (Node n : NODES) {
            for (Op op : Op.values()) {
                boolean expected = allowed("anonymous", n, op);
                ChubbyException e = attempt("anonymous", n, op);
                if (expected != (e == null) || (e != null && e.code() != ErrorCode.PERMISSION_DENIED)) {
                    wrong.add("anonymous " + op + " " + n.path() + ": expected " + (expected ? "allowed" : "denied")
                            + ", got " + (e == null ? "success" : e));
                }
            }
        }
        assertTrue(wrong.isEmpty(), () -> String.join("\n", wrong));
        SecuredCell.allowAnonymous(cell, false);
    }

    /**
     * A mirror between secured cells (issue 20: credentials): the mirror reads its source as bob
     * (TLS with the cell's CA, his password from a file) and writes its target as admin (a
     * certificate), here both in this cell (/ls/local/pub into /ls/local/pub-copy). The copy, its
     * ACL names and a later change arrive; a second mirror with a wrong password is refused by the
     * source, reports it in {@code chubby mirror status}, and writes nothing.
     */
    @Test
    @Order(8)
    void aMirrorReadsAndWritesSecuredCellsWithItsOwnCredentials() throws Exception {
        ChubbyClient admin = client("admin");
        try (Handle pub = admin.open("/ls/local/pub", OpenOptions.read().withCreate(CreateMode.MAY).asDirectory()
                .withAcls("readers", "svc-writers", "devs"))) {
            assertTrue(pub.openStat().directory());
        }
        admin.write("/ls/local/pub/a", "one".getBytes(StandardCharsets.UTF_8));
        admin.ensureDirectory("/ls/local/pub/d");
        admin.write("/ls/local/pub/d/b", "two".getBytes(StandardCharsets.UTF_8));
        Path tls = SecuredCell.tls(cell);
        Path wrong = cell.dir().resolve("wrong.password");
        Files.writeString(wrong, "not bob's password\n");
        String source = "mirror.source.tls.ca=" + tls.resolve("ca.pem") + "\nmirror.source.user=bob\n";
        String target = "mirror.target.tls.ca=" + tls.resolve("ca.pem") + "\nmirror.target.tls.cert="
                + tls.resolve("admin.pem") + "\nmirror.target.tls.key=" + tls.resolve("admin.key") + "\n";
        configureMirror("pub", "/ls/local/pub", "/ls/local/pub-copy", source + "mirror.source.password.file="
                + cell.dir().resolve("bob.password") + "\n" + target);
        configureMirror("pub-bad", "/ls/local/pub", "/ls/local/pub-bad", source + "mirror.source.password.file="
                + wrong + "\n" + target);
        Map<String, String> saved = Map.copyOf(cell.env);
        cell.env.putAll(Map.of("CHUBBY_TLS_CA", tls.resolve("ca.pem").toString(),
                "CHUBBY_TLS_CERT", tls.resolve("admin.pem").toString(),
                "CHUBBY_TLS_KEY", tls.resolve("admin.key").toString()));
        try {
            SecuredCell.await("the copy", () -> {
                try {
                    return "two".equals(new String(admin.read("/ls/local/pub-copy/d/b"), StandardCharsets.UTF_8))
                            ? Boolean.TRUE : null;
                } catch (ChubbyException e) {
                    return null;
                }
            });
            assertEquals("one", new String(admin.read("/ls/local/pub-copy/a"), StandardCharsets.UTF_8));
            assertEquals("readers", admin.stat("/ls/local/pub-copy/a").readAcl(), "ACL names are mirrored");
            admin.write("/ls/local/pub/a", "three".getBytes(StandardCharsets.UTF_8));
            SecuredCell.await("the change", () -> {
                try {
                    return "three".equals(new String(admin.read("/ls/local/pub-copy/a"), StandardCharsets.UTF_8))
                            ? Boolean.TRUE : null;
                } catch (ChubbyException e) {
                    return null;
                }
            });
            String bad = SecuredCell.await("pub-bad cut off by the source", () -> {
                LocalCell.Run r = cell.chubby(null, "mirror", "status");
                // the wrong password, then (the source locks out a client after 3 failed logins a
                // minute, and the mirror retries every half second) the lockout: both refuse bob
                return r.out().lines().filter(l -> l.startsWith("pub-bad ") && l.contains("state=cut_off")
                        && (l.contains("login as bob failed") || l.contains("login as bob refused: too many failed"
                        + " logins"))).findFirst().orElse(null);
            });
            assertTrue(bad.contains("PERMISSION_DENIED"), bad);
            String good = cell.chubby(null, "mirror", "status").out();
            assertTrue(good.lines().anyMatch(l -> l.startsWith("pub ") && l.contains("state=streaming")), good);
            ChubbyException none = assertThrowsChubby(() -> admin.stat("/ls/local/pub-bad"));
            assertEquals(ErrorCode.NO_SUCH_NODE, none.code(), none.toString());
        } finally {
            removeMirror("pub");
            removeMirror("pub-bad");
            cell.env.clear();
            cell.env.putAll(saved);
        }
    }

    /** Drops {@code etc/io.chubby.mirror-NAME.cfg} into every replica (written beside, moved in). */
    private static void configureMirror(String name, String from, String to, String security) throws Exception {
        String cfg = "mirror.name=" + name + "\nmirror.source.cell=" + cell.cellSpec() + "\nmirror.source.path="
                + from + "\nmirror.target.path=" + to + "\nmirror.retry.ms=500\n" + security;
        for (int i = 1; i <= cell.replicas(); i++) {
            Path etc = cell.dir().resolve("replica-" + i).resolve("etc");
            Path tmp = etc.resolveSibling(".mirror-" + name + ".cfg.tmp");
            Files.writeString(tmp, cfg, StandardCharsets.UTF_8);
            Files.move(tmp, etc.resolve("io.chubby.mirror-" + name + ".cfg"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void removeMirror(String name) throws Exception {
        for (int i = 1; i <= cell.replicas(); i++) {
            Files.deleteIfExists(cell.dir().resolve("replica-" + i).resolve("etc")
                    .resolve("io.chubby.mirror-" + name + ".cfg"));
        }
    }

    private static ChubbyException assertThrowsChubby(Runnable r) {
        try {
            r.run();
        } catch (ChubbyException e) {
            return e;
        }
        return fail("expected a ChubbyException");
    }

    private static Response call(MasterChannel ch, Request.Builder req, MasterChannel.Retry retry) throws Exception {
        return Response.parseFrom(ch.call(req.build().toByteArray(), retry).get());
    }

    private static ChubbyException expectDenied(Runnable r) {
        try {
            r.run();
        } catch (ChubbyException e) {
            assertEquals(ErrorCode.PERMISSION_DENIED, e.code(), e.toString());
            return e;
        }
        return fail("expected PERMISSION_DENIED");
    }
}
