package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.CreateMode;
import io.chubby.api.DirEntry;
import io.chubby.api.ErrorCode;
import io.chubby.api.LockMode;
import io.chubby.api.OpenMode;
import io.chubby.api.OpenOptions;
import io.chubby.api.Stat;
import io.chubby.client.ChubbyClient;
import io.chubby.client.Contents;
import io.chubby.client.Handle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The file API of SPEC sections 2-4 (issue 4) through the Java client, sync and async forms,
 * written once and bound to a cell by a subclass: {@link WireProtocolBehaviour} adds the
 * raw-protocol tests (its subclasses {@link FileApiOneReplicaIT}, {@link FileApiFiveReplicaIT},
 * {@link FileApiThroughProxiesIT}); {@link FileApiPartitionedIT} runs this suite alone on a cell of
 * four partitions, where a raw client would have to route by partition itself. Inherits the final
 * determinism check of {@link CellSuite}.
 *
 * <p>Error codes reached over the wire by this suite (server answers, not client-side checks):
 * NO_SUCH_NODE, EXISTS, NOT_A_DIRECTORY, NOT_EMPTY, IS_A_DIRECTORY, PERMISSION_DENIED, CAS_MISMATCH,
 * TOO_LARGE, BAD_HANDLE ({@link #filesAndDirectoriesFormAStrictTree}, {@link #openModesAndCreateOptions},
 * {@link #contentsStatReadDirAndCompareAndSwap}, {@link #limitsRejectAndChangeNothing},
 * {@link #handlesAreBoundToOneNodeInstance}); INVALID_ARGUMENT (deleting the root here; bad names,
 * no body in the wire tests), BAD_HANDLE (forged/altered/foreign/replayed/stale), WRONG_EPOCH,
 * SESSION_EXPIRED, PROTOCOL_ERROR, CANCELLED (lock wait cancelled by Release), STALE_SEQUENCER
 * (SetSequencer with an outdated sequencer) in {@link WireProtocolBehaviour}; NOT_MASTER in
 * {@link FileApiFiveReplicaIT}. CANCELLED is also the client's code for a poisoned handle. Not
 * reached: CELL_UNAVAILABLE from a server ("not initialised yet" in a new cell's first moments: not
 * deterministic here; the client-side one is in the CLI test of {@link FileApiOneReplicaIT}),
 * OUTCOME_UNKNOWN (mastership lost mid-write: session-mgr's ProposerTest and CellServerTest, the
 * client's tests, and counted by the fault suite) and INTERNAL (only on a server bug).
 */
abstract class FileApiBehaviour extends CellSuite {
    private static final int MAX_CONTENTS = 256 * 1024;
    private static final long EPHEMERAL_DEADLINE_MS = 10_000;

    static OpenOptions writeMust() {
        return OpenOptions.write().withCreate(CreateMode.MUST);
    }
    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** FNV-1a 64 of the contents: the documented content checksum (session-mgr README). */
    static long fnv1a64(byte[] b) {
        long h = 0xcbf29ce484222325L;
        for (byte x : b) {
            h ^= x & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Test
    @Order(1)
    void filesAndDirectoriesFormAStrictTree() {
        String d = dir("tree");
        client.mkdir(d + "/sub");
        client.write(d + "/sub/f", utf8("hello"));
        assertEquals("hello", new String(client.read(d + "/sub/f"), StandardCharsets.UTF_8));

        fails(ErrorCode.NO_SUCH_NODE, () -> client.mkdir(d + "/missing/x"));
        fails(ErrorCode.NO_SUCH_NODE, () -> client.write(d + "/missing/f", utf8("x")));
        fails(ErrorCode.NOT_A_DIRECTORY, () -> client.write(d + "/sub/f/child", utf8("x")));
        fails(ErrorCode.NOT_A_DIRECTORY, () -> client.mkdir(d + "/sub/f/dir"));
        fails(ErrorCode.EXISTS, () -> client.mkdir(d + "/sub"));
        fails(ErrorCode.NOT_EMPTY, () -> client.delete(d + "/sub"));
        assertEquals(List.of("f"), names(client.list(d + "/sub")), "the refused delete changed nothing");

        try (Handle dh = client.open(d + "/sub", OpenOptions.read()); Handle fh = client.open(d + "/sub/f", OpenOptions.read())) {
            fails(ErrorCode.IS_A_DIRECTORY, dh::getContentsAndStat);
            try (Handle dw = client.open(d + "/sub", OpenOptions.write())) {
                fails(ErrorCode.IS_A_DIRECTORY, () -> dw.setContents(utf8("x")));
            }
            fails(ErrorCode.NOT_A_DIRECTORY, fh::readDir);
            assertTrue(dh.getStat().directory());
            assertFalse(fh.getStat().directory());
        }
        try (Handle root = client.open("/ls/local", OpenOptions.write())) {
            fails(ErrorCode.INVALID_ARGUMENT, root::delete);
        }
        client.delete(d + "/sub/f");
        client.delete(d + "/sub");
        assertFalse(client.exists(d + "/sub"));
        fails(ErrorCode.NO_SUCH_NODE, () -> client.read(d + "/sub/f"));
        assertTrue(client.list(d).isEmpty());
    }

    @Test
    @Order(2)
    void openModesAndCreateOptions() {
        String d = dir("open");
        String f = d + "/f";
        fails(ErrorCode.NO_SUCH_NODE, () -> client.open(f, OpenOptions.read()));
        try (Handle made = client.open(f, OpenOptions.write().withCreate(CreateMode.MAY).withInitialContents(utf8("v0")))) {
            assertTrue(made.created());
            assertEquals(f, made.path());
        }
        try (Handle again = client.open(f, OpenOptions.write().withCreate(CreateMode.MAY))) {
            assertFalse(again.created());
            assertEquals("v0", new String(again.getContentsAndStat().data(), StandardCharsets.UTF_8), "MAY kept the contents");
        }
        fails(ErrorCode.EXISTS, () -> client.open(f, writeMust()));
        failsAsync(ErrorCode.EXISTS, client.openAsync(f, writeMust()));

        Stat before = client.stat(f);
        try (Handle ro = client.open(f, OpenOptions.read());
             Handle rw = client.open(f, OpenOptions.write());
             Handle acl = client.open(f, OpenOptions.read().withModes(EnumSet.of(OpenMode.READ, OpenMode.CHANGE_ACL)))) {
            assertFalse(ro.created());
            fails(ErrorCode.PERMISSION_DENIED, () -> ro.setContents(utf8("no")));
            failsAsync(ErrorCode.PERMISSION_DENIED, ro.setContentsAsync(utf8("no")));
            fails(ErrorCode.PERMISSION_DENIED, ro::delete);
            fails(ErrorCode.PERMISSION_DENIED, () -> ro.setAcl("r", "w", "c"));
            fails(ErrorCode.PERMISSION_DENIED, () -> rw.setAcl("r", "w", "c"));
            fails(ErrorCode.PERMISSION_DENIED, () -> acl.setContents(utf8("no")));
            assertEquals(before, ro.getStat(), "refused calls changed nothing");
            acl.setAcl("r", "w", "c");
            assertEquals("r", ro.getStat().readAcl());
        }

        // relative to a directory handle (sync and async)
        try (Handle dh = client.open(d, OpenOptions.read())) {
            try (Handle rel = dh.open("rel", writeMust().withInitialContents(utf8("relative")))) {
                assertTrue(rel.created());
                assertEquals(d + "/rel", rel.path());
            }
            Handle relAsync = await(dh.openAsync("rel", OpenOptions.read()));
            assertFalse(relAsync.created());
            assertEquals("relative", new String(relAsync.getContentsAndStat().data(), StandardCharsets.UTF_8));
            relAsync.close();
            fails(ErrorCode.NO_SUCH_NODE, () -> dh.open("nope", OpenOptions.read()));
        }
        assertEquals("relative", new String(client.read(d + "/rel"), StandardCharsets.UTF_8));
        try (Handle fh = client.open(f, OpenOptions.read())) {
            fails(ErrorCode.NOT_A_DIRECTORY, () -> fh.open("child", writeMust()));
        }
    }

    @Test
    @Order(3)
    void metadataGenerationsChecksumAclsAndTimes() {
        long t0 = System.currentTimeMillis();
        String d = dir("meta");
        String ad = d + "/acl";
        client.open(ad, writeMust().asDirectory().withAcls("r1", "w1", "c1")).close();
        Stat dirStat = client.stat(ad);
        assertTrue(dirStat.directory());
        assertEquals(List.of("r1", "w1", "c1"), acls(dirStat));

        String f = ad + "/f";
        Stat s1;
        try (Handle h = client.open(f, writeMust().withInitialContents(utf8("one")))) {
            s1 = h.getStat();
            assertEquals(List.of("r1", "w1", "c1"), acls(s1), "ACL names inherited from the parent");
            assertFalse(s1.directory());
            assertFalse(s1.ephemeral());
            assertEquals(3, s1.size());
            assertEquals(fnv1a64(utf8("one")), s1.checksum());
            long t1 = System.currentTimeMillis();
            assertTrue(s1.createdMillis() >= t0 - 5_000 && s1.createdMillis() <= t1 + 5_000, s1::toString);
            assertTrue(s1.modifiedMillis() >= s1.createdMillis(), s1::toString);

            Stat s2 = h.setContents(utf8("two!"));
            assertTrue(s2.contentGeneration() > s1.contentGeneration(), s2::toString);
            assertEquals(4, s2.size());
            assertEquals(fnv1a64(utf8("two!")), s2.checksum());
            assertNotEquals(s1.checksum(), s2.checksum());
            assertEquals(s1.instance(), s2.instance());
            assertEquals(s1.aclGeneration(), s2.aclGeneration());
            assertTrue(s2.modifiedMillis() >= s1.modifiedMillis());

            Stat s3 = await(h.setContentsAsync(utf8("two!")));
            assertTrue(s3.contentGeneration() > s2.contentGeneration(), "every write bumps, even the same bytes");
            assertEquals(s2.checksum(), s3.checksum(), "same contents, same checksum");
            Stat empty = h.setContents(new byte[0]);
            assertEquals(0, empty.size());
            assertEquals(fnv1a64(new byte[0]), empty.checksum());
        }
        try (Handle h = client.open(f, OpenOptions.read().withModes(EnumSet.of(OpenMode.READ, OpenMode.CHANGE_ACL)))) {
            Stat before = h.getStat();
            h.setAcl("r2", "w2", "c2");
            Stat after = h.getStat();
            assertTrue(after.aclGeneration() > before.aclGeneration(), after::toString);
            assertEquals(List.of("r2", "w2", "c2"), acls(after));
            assertEquals(before.contentGeneration(), after.contentGeneration());
            await(h.setAclAsync("r3", "w3", "c3"));
            assertTrue(h.getStat().aclGeneration() > after.aclGeneration());
            assertEquals(List.of("r1", "w1", "c1"), acls(client.stat(ad)), "the parent's names are unchanged");
        }
        try (Handle given = client.open(ad + "/g", writeMust().withAcls("rg", "wg", "cg"))) {
            assertEquals(List.of("rg", "wg", "cg"), acls(given.getStat()), "given names win over inherited ones");
        }
        try (Handle some = client.open(ad + "/some", writeMust().withAcls("rs", null, null))) {
            assertEquals(List.of("rs", "w1", "c1"), acls(some.getStat()), "only the names not given are inherited");
        }

        client.delete(f);
        client.write(f, utf8("one"));
        Stat reborn = client.stat(f);
        assertTrue(reborn.instance() > s1.instance(), () -> reborn + " vs " + s1);
        assertEquals(s1.checksum(), reborn.checksum());
        // beside f: instance numbers grow per partition (SPEC: above any earlier node of the same name)
        try (Handle e = client.open(ad + "/eph", writeMust().withEphemeral(true))) {
            assertTrue(e.getStat().ephemeral());
            assertTrue(e.getStat().instance() > reborn.instance(), "instance numbers only grow");
        }
    }

    @Test
    @Order(4)
    void contentsStatReadDirAndCompareAndSwap() {
        String d = dir("cas");
        client.mkdir(d + "/sub");
        try (Handle h = client.open(d + "/f", writeMust().withInitialContents(utf8("v1")))) {
            Contents c = h.getContentsAndStat();
            assertEquals("v1", new String(c.data(), StandardCharsets.UTF_8));
            assertEquals(c.stat(), await(h.getStatAsync()));
            assertEquals(c.stat(), await(h.getContentsAndStatAsync()).stat());
            long g1 = c.stat().contentGeneration();

            Stat s2 = h.setContents(utf8("v2"), g1);
            assertTrue(s2.contentGeneration() > g1);
            fails(ErrorCode.CAS_MISMATCH, () -> h.setContents(utf8("v3"), g1));
            failsAsync(ErrorCode.CAS_MISMATCH, h.setContentsAsync(utf8("v3"), s2.contentGeneration() + 7));
            Contents unchanged = h.getContentsAndStat();
            assertEquals("v2", new String(unchanged.data(), StandardCharsets.UTF_8));
            assertEquals(s2.contentGeneration(), unchanged.stat().contentGeneration(), "a CAS miss changes nothing");
            Stat s3 = await(h.setContentsAsync(utf8("v3"), s2.contentGeneration()));
            assertEquals("v3", new String(client.read(d + "/f"), StandardCharsets.UTF_8));

            client.write(d + "/g", utf8("gg"));
            Map<String, Stat> listed;
            try (Handle dh = client.open(d, OpenOptions.read())) {
                listed = dh.readDir().stream().collect(Collectors.toMap(DirEntry::name, DirEntry::stat));
                assertEquals(listed, await(dh.readDirAsync()).stream()
                        .collect(Collectors.toMap(DirEntry::name, DirEntry::stat)));
            }
            assertEquals(Map.of("f", s3, "g", client.stat(d + "/g"), "sub", client.stat(d + "/sub")), listed,
                    "ReadDir gives every child's name and metadata");
        }
        await(client.writeAsync(d + "/async", utf8("a")));
        assertArrayEquals(utf8("a"), await(client.readAsync(d + "/async")));
        assertEquals(1, await(client.statAsync(d + "/async")).size());
        await(client.deleteAsync(d + "/async"));
        assertFalse(await(client.existsAsync(d + "/async")));
        failsAsync(ErrorCode.NO_SUCH_NODE, client.readAsync(d + "/async"));
    }

    @Test
    @Order(5)
    void limitsRejectAndChangeNothing() {
        String d = dir("limits");
        byte[] huge = new byte[MAX_CONTENTS + 1];
        Arrays.fill(huge, (byte) 'x');
        try (Handle h = client.open(d + "/f", writeMust().withInitialContents(utf8("small")))) {
            Stat before = h.getStat();
            fails(ErrorCode.TOO_LARGE, () -> h.setContents(huge));
            failsAsync(ErrorCode.TOO_LARGE, h.setContentsAsync(huge, before.contentGeneration()));
            assertEquals(before, h.getStat());
            assertEquals("small", new String(h.getContentsAndStat().data(), StandardCharsets.UTF_8));
            Stat max = h.setContents(Arrays.copyOf(huge, MAX_CONTENTS));
            assertEquals(MAX_CONTENTS, max.size());
        }
        fails(ErrorCode.TOO_LARGE, () -> client.open(d + "/new", writeMust().withInitialContents(huge)));
        fails(ErrorCode.TOO_LARGE, () -> client.write(d + "/new2", huge));
        assertEquals(List.of("f"), names(client.list(d)));
        for (String bad : List.of(d + "/bad*char", d + "//x", d + "/../x", d + "/" + "n".repeat(256), "relative")) {
            fails(ErrorCode.INVALID_ARGUMENT, () -> client.write(bad, utf8("x")));
        }
        assertEquals(List.of("f"), names(client.list(d)));
    }

    @Test
    @Order(6)
    void handlesAreBoundToOneNodeInstance() {
        String d = dir("handles");
        String f = d + "/f";
        client.write(f, utf8("first"));
        Handle h = client.open(f, OpenOptions.write());
        client.delete(f);
        fails(ErrorCode.BAD_HANDLE, h::getStat);
        client.write(f, utf8("second"));
        fails(ErrorCode.BAD_HANDLE, h::getContentsAndStat);
        failsAsync(ErrorCode.BAD_HANDLE, h.getStatAsync());
        fails(ErrorCode.BAD_HANDLE, () -> h.setContents(utf8("revive?")));
        assertEquals("second", new String(client.read(f), StandardCharsets.UTF_8), "the old handle wrote nothing");
        h.close();
        h.close();
        assertTrue(h.isClosed());
        fails(ErrorCode.BAD_HANDLE, h::getStat);

        Handle toDelete = client.open(f, OpenOptions.write());
        toDelete.delete();
        toDelete.close();
        await(toDelete.closeAsync());
    }

    @Test
    @Order(7)
    void poisonFailsOutstandingAndLaterCallsWithoutClosing() {
        String d = dir("poison");
        ChubbyClient other = newClient();
        Handle eph = other.open(d + "/eph", writeMust().withEphemeral(true));
        eph.poison();
        assertTrue(eph.isPoisoned());
        assertFalse(eph.isClosed());
        fails(ErrorCode.CANCELLED, eph::getStat);
        failsAsync(ErrorCode.CANCELLED, eph.setContentsAsync(utf8("x")));
        assertTrue(client.exists(d + "/eph"), "poison does not close: the ephemeral file stays");
        eph.close();
        poll("the ephemeral file gone after Close of the poisoned handle", () -> client.exists(d + "/eph") ? null : true,
                EPHEMERAL_DEADLINE_MS);

        try (Handle holder = client.open(d + "/lock", writeMust()); Handle waiter = other.open(d + "/lock", OpenOptions.write())) {
            holder.acquire(LockMode.EXCLUSIVE);
            CompletableFuture<Boolean> outstanding = waiter.acquireAsync(LockMode.EXCLUSIVE, Duration.ofSeconds(30));
            assertFalse(outstanding.isDone());
            waiter.poison();
            failsAsync(ErrorCode.CANCELLED, outstanding);
            assertFalse(waiter.isClosed());
            holder.release();
        }
    }

    @Test
    @Order(8)
    void ephemeralNodesGoWhenTheLastHandleClosesOrTheSessionEnds() {
        String d = dir("ephemeral");
        ChubbyClient a = newClient();
        ChubbyClient b = newClient();
        Handle ea = a.open(d + "/file", writeMust().withEphemeral(true).withInitialContents(utf8("e")));
        Handle eb = b.open(d + "/file", OpenOptions.read());
        assertTrue(eb.getStat().ephemeral());
        ea.close();
        assertEquals("e", new String(eb.getContentsAndStat().data(), StandardCharsets.UTF_8), "b still holds it open");
        assertTrue(client.exists(d + "/file"));
        eb.close();
        awaitGone(d + "/file");

        // an ephemeral directory goes when no handle is open on it and it is empty
        Handle dir = a.open(d + "/edir", writeMust().asDirectory().withEphemeral(true));
        dir.open("child", writeMust()).close();
        dir.close();
        assertTrue(client.exists(d + "/edir"), "not empty: kept");
        client.delete(d + "/edir/child");
        awaitGone(d + "/edir");

        // nested: an ephemeral directory whose only child is ephemeral goes with its last child
        Handle outer = a.open(d + "/nest", writeMust().asDirectory().withEphemeral(true));
        Handle inner = outer.open("leaf", writeMust().withEphemeral(true));
        outer.close();
        assertTrue(client.exists(d + "/nest"), "its ephemeral child is still open");
        inner.close();
        awaitGone(d + "/nest/leaf");
        awaitGone(d + "/nest");

        // the owning session ends: its ephemeral nodes go (nested ones too), permanent ones stay
        ChubbyClient c = newClient();
        c.open(d + "/held", writeMust().withEphemeral(true)).getStat();
        Handle heldDir = c.open(d + "/heldDir", writeMust().asDirectory().withEphemeral(true));
        heldDir.open("leaf", writeMust().withEphemeral(true)).getStat();
        c.write(d + "/permanent", utf8("p"));
        assertTrue(client.exists(d + "/held"));
        c.close();
        awaitGone(d + "/held");
        awaitGone(d + "/heldDir");
        assertEquals("p", new String(client.read(d + "/permanent"), StandardCharsets.UTF_8));
        assertEquals(List.of("permanent"), names(client.list(d)));
    }

    private void awaitGone(String path) {
        poll(path + " deleted", () -> client.exists(path) ? null : true, EPHEMERAL_DEADLINE_MS);
        fails(ErrorCode.NO_SUCH_NODE, () -> client.stat(path));
    }

    static List<String> names(List<DirEntry> entries) {
        return entries.stream().map(DirEntry::name).sorted().toList();
    }

    static List<String> acls(Stat s) {
        return List.of(s.readAcl(), s.writeAcl(), s.changeAcl());
    }
}
