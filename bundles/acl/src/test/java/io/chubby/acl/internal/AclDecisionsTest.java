package io.chubby.acl.internal;

import static io.chubby.acl.internal.Fixtures.ALICE;
import static io.chubby.acl.internal.Fixtures.BOB;
import static io.chubby.acl.internal.Fixtures.ROOT;
import static io.chubby.acl.internal.Fixtures.call;
import static io.chubby.acl.internal.Fixtures.config;
import static io.chubby.acl.internal.Fixtures.open;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.CreateMode;
import io.chubby.api.OpenMode;
import io.chubby.spi.AclFileVersion;
import io.chubby.spi.Authorizer.Decision;
import io.chubby.spi.CellOperation;
import io.chubby.spi.CellRequest;
import io.chubby.spi.Principal;
import io.chubby.testkit.FakeNamespace;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The decision table (README, "Decisions"), through the real component: Shiro's security manager
 * and the ACL realm over a {@link FakeNamespace}.
 */
class AclDecisionsTest {
    private static final Principal READER = new Principal("reader", Principal.Mechanism.PASSWORD);
    private static final Principal WRITER = new Principal("writer", Principal.Mechanism.PASSWORD);
    private static final Principal CHANGER = new Principal("changer", Principal.Mechanism.PASSWORD);

    private FakeNamespace ns;
    private AclService acl;

    @BeforeEach
    void setUp() {
        ns = new FakeNamespace("local");
        ns.mkdir("/acl");
        ns.put("/acl/r", "reader\n");
        ns.put("/acl/w", "writer\n");
        ns.put("/acl/c", "changer\n");
        ns.mkdir("/svc", "r", "w", "c");
        ns.put("/svc/leader", "x");
        acl = new AclService(null, config("root", false), System::nanoTime);
    }

    @AfterEach
    void tearDown() {
        acl.close();
    }

    private Decision decide(CellRequest r) {
        return acl.authorize(r, ns);
    }

    /** The right each node call needs. */
    private static final Map<CellOperation, String> NEEDS = Map.ofEntries(
            Map.entry(CellOperation.GET_CONTENTS, "read"), Map.entry(CellOperation.GET_STAT, "read"),
            Map.entry(CellOperation.READ_DIR, "read"), Map.entry(CellOperation.LOCK_INFO, "read"),
            Map.entry(CellOperation.GET_SEQUENCER, "read"), Map.entry(CellOperation.CHECK_SEQUENCER, "read"),
            Map.entry(CellOperation.SET_CONTENTS, "write"), Map.entry(CellOperation.DELETE, "write"),
            Map.entry(CellOperation.ACQUIRE, "write"), Map.entry(CellOperation.SET_SEQUENCER, "write"),
            Map.entry(CellOperation.SET_ACL, "change"));

    private static final Map<String, Principal> HOLDER = Map.of("read", READER, "write", WRITER, "change", CHANGER);
    private static final Map<String, String> DENIAL = Map.of(
            "read", " may not read /ls/local/svc/leader (read ACL /ls/local/acl/r)",
            "write", " may not write /ls/local/svc/leader (write ACL /ls/local/acl/w)",
            "change", " may not change the ACL names of /ls/local/svc/leader (change-ACL ACL /ls/local/acl/c)");

    @ParameterizedTest
    @EnumSource(value = CellOperation.class, names = {"GET_CONTENTS", "GET_STAT", "READ_DIR", "LOCK_INFO",
            "GET_SEQUENCER", "CHECK_SEQUENCER", "SET_CONTENTS", "DELETE", "ACQUIRE", "SET_SEQUENCER", "SET_ACL"})
    void eachHandleCallNeedsItsOneRight(CellOperation op) {
        String right = NEEDS.get(op);
        for (Map.Entry<String, Principal> e : HOLDER.entrySet()) {
            Decision d = decide(call(e.getValue(), op, "/ls/local/svc/leader"));
            if (e.getKey().equals(right)) {
                assertTrue(d.allowed(), op + " by " + e.getValue() + ": " + d.reason());
                assertEquals(1, d.consulted().size(), "the one ACL file read: " + d.consulted());
            } else {
                assertFalse(d.allowed(), op + " by " + e.getValue());
                assertEquals(e.getValue().name() + DENIAL.get(right), d.reason());
            }
        }
    }

    /** Issue 22: the authorizer's series, decisions by outcome and denials by the right missing. */
    @Test
    void decisionsAndDenialsAreCountedForTheMetrics() {
        decide(call(READER, CellOperation.GET_CONTENTS, "/ls/local/svc/leader"));
        decide(call(WRITER, CellOperation.GET_CONTENTS, "/ls/local/svc/leader"));
        decide(call(READER, CellOperation.SET_CONTENTS, "/ls/local/svc/leader"));
        decide(call(READER, CellOperation.SET_ACL, "/ls/local/svc/leader"));
        decide(call(WRITER, CellOperation.DELETE, "/ls/local/svc/leader"));
        Map<String, Double> counted = new java.util.TreeMap<>();
        for (io.chubby.spi.MetricSource.Metric m : acl.metrics()) {
            m.samples().forEach(x -> counted.put(m.name() + " " + x.labels().values(), x.value()));
        }
        assertEquals(Map.of("chubby_acl_decisions [allow]", 2.0, "chubby_acl_decisions [deny]", 3.0,
                "chubby_acl_denials [read]", 1.0, "chubby_acl_denials [write]", 1.0,
                "chubby_acl_denials [change-ACL]", 1.0), counted);
    }

    @Test
    void openOfAnExistingNodeChecksEveryRequestedMode() {
        assertTrue(decide(open(READER, "/ls/local/svc/leader", CreateMode.NO, OpenMode.READ)).allowed());
        assertTrue(decide(open(WRITER, "/ls/local/svc/leader", CreateMode.MAY, OpenMode.WRITE)).allowed(),
                "create MAY of an existing node: the modes decide, not the directory");
        Decision d = decide(open(WRITER, "/ls/local/svc/leader", CreateMode.NO, OpenMode.READ, OpenMode.WRITE));
        assertEquals("writer may not read /ls/local/svc/leader (read ACL /ls/local/acl/r)", d.reason());
        ns.put("/acl/rw", "writer\nreader\n");
        ns.setAcls("/svc/leader", "rw", null, null);
        d = decide(open(WRITER, "/ls/local/svc/leader", CreateMode.NO, OpenMode.READ, OpenMode.WRITE));
        assertTrue(d.allowed(), d.reason());
        assertEquals(List.of("/acl/rw", "/acl/w"), d.consulted().stream().map(AclFileVersion::path).toList());
        d = decide(open(WRITER, "/ls/local/svc/leader", CreateMode.NO, OpenMode.READ, OpenMode.CHANGE_ACL));
        assertEquals("writer may not change the ACL names of /ls/local/svc/leader (change-ACL ACL /ls/local/acl/c)",
                d.reason());
        assertTrue(decide(open(CHANGER, "/ls/local/svc/leader", CreateMode.NO)).allowed() == false,
                "no mode requested reads as READ");
    }

    @Test
    void creatingNeedsWriteOnTheDirectoryAndOpeningAMissingNodeNeedsReadOnIt() {
        Decision d = decide(open(WRITER, "/ls/local/svc/new", CreateMode.MUST, OpenMode.WRITE));
        assertTrue(d.allowed(), d.reason());
        assertEquals(List.of("/acl/w"), d.consulted().stream().map(AclFileVersion::path).toList());
        d = decide(open(READER, "/ls/local/svc/new", CreateMode.MAY, OpenMode.READ));
        assertEquals("reader may not write /ls/local/svc (write ACL /ls/local/acl/w) to create /ls/local/svc/new",
                d.reason());
        assertTrue(decide(open(READER, "/ls/local/svc/missing", CreateMode.NO, OpenMode.READ)).allowed(),
                "a missing node without create: read on its directory");
        assertEquals("writer may not read /ls/local/svc (read ACL /ls/local/acl/r)",
                decide(open(WRITER, "/ls/local/svc/missing", CreateMode.NO, OpenMode.WRITE)).reason());
        assertEquals("writer may not read /ls/local/svc (read ACL /ls/local/acl/r)",
                decide(open(WRITER, "/ls/local/svc/a/b/c", CreateMode.NO, OpenMode.READ)).reason(),
                "missing directories: the nearest existing ancestor decides");
    }

    @Test
    void inheritedAndExplicitAclNames() {
        // copy-on-create: /svc/leader took /svc's names; /svc/own names its own write ACL
        ns.put("/acl/owners", "alice\n");
        ns.put("/svc/own", "y", null, "owners", null);
        assertTrue(decide(call(WRITER, CellOperation.SET_CONTENTS, "/ls/local/svc/leader")).allowed(), "inherited");
        assertEquals("writer may not write /ls/local/svc/own (write ACL /ls/local/acl/owners)",
                decide(call(WRITER, CellOperation.SET_CONTENTS, "/ls/local/svc/own")).reason());
        assertTrue(decide(call(ALICE, CellOperation.SET_CONTENTS, "/ls/local/svc/own")).allowed(), "explicit");
        assertTrue(decide(call(READER, CellOperation.GET_CONTENTS, "/ls/local/svc/own")).allowed(),
                "the names not given at create were inherited");
        // a later change of the directory's names does not reach nodes created before it
        ns.setAcls("/svc", null, "owners", null);
        assertTrue(decide(call(WRITER, CellOperation.SET_CONTENTS, "/ls/local/svc/leader")).allowed());
        assertFalse(decide(open(WRITER, "/ls/local/svc/newer", CreateMode.MUST, OpenMode.WRITE)).allowed());
    }

    @Test
    void groupsNestAndCyclesEnd() {
        ns.put("/acl/w", "ops\n");
        ns.put("/acl/ops", "# the on-call team\noncall\nwriter-bots   # and the bots\n");
        ns.put("/acl/oncall", "alice\nops\n");          // a cycle: ops -> oncall -> ops
        ns.put("/acl/writer-bots", "bot-1\n");
        Decision d = decide(call(ALICE, CellOperation.SET_CONTENTS, "/ls/local/svc/leader"));
        assertTrue(d.allowed(), d.reason());
        assertEquals(List.of("/acl/w", "/acl/ops", "/acl/oncall", "/acl/writer-bots"),
                d.consulted().stream().map(AclFileVersion::path).toList());
        assertTrue(d.consulted().stream().allMatch(AclFileVersion::exists));
        Principal bot = new Principal("bot-1", Principal.Mechanism.TLS_CERTIFICATE);
        assertTrue(decide(call(bot, CellOperation.ACQUIRE, "/ls/local/svc/leader")).allowed());
        Decision carol = decide(call(new Principal("carol", Principal.Mechanism.PASSWORD), CellOperation.ACQUIRE,
                "/ls/local/svc/leader"));
        assertEquals("carol may not write /ls/local/svc/leader (write ACL /ls/local/acl/w)", carol.reason(),
                "the cycle ended and named the node's own ACL file");
    }

    @Test
    void consultedNamesGroupLookupsThatFoundNothingAsAbsent() {
        ns.put("/acl/w", "dave\nops\n");
        ns.put("/acl/ops", "alice\n");
        Decision d = decide(call(ALICE, CellOperation.SET_CONTENTS, "/ls/local/svc/leader"));
        assertTrue(d.allowed());
        assertTrue(d.consulted().contains(AclFileVersion.absent("/acl/dave")), d.consulted().toString());
        AclFileVersion ops = d.consulted().stream().filter(v -> v.path().equals("/acl/ops")).findFirst().orElseThrow();
        assertEquals(ns.stat("/acl/ops").instance(), ops.instance());
        assertEquals(ns.stat("/acl/ops").contentGeneration(), ops.generation());
    }

    @Test
    void aMissingAclFileOrAnEmptyNameDenies() {
        ns.setAcls("/svc/leader", "gone", "", null);
        assertEquals("reader may not read /ls/local/svc/leader (read ACL /ls/local/acl/gone does not exist)",
                decide(call(READER, CellOperation.GET_CONTENTS, "/ls/local/svc/leader")).reason());
        assertEquals("writer may not write /ls/local/svc/leader (the node names no write ACL)",
                decide(call(WRITER, CellOperation.SET_CONTENTS, "/ls/local/svc/leader")).reason());
        ns.setAcls("/svc/leader", "a/b", null, null);
        assertEquals("reader may not read /ls/local/svc/leader (read ACL 'a/b' is not a valid ACL file name)",
                decide(call(READER, CellOperation.GET_CONTENTS, "/ls/local/svc/leader")).reason());
        // the cell root of a new cell names no ACLs: only superusers get anywhere
        assertEquals("alice may not write /ls/local (the node names no write ACL) to create /ls/local/x",
                decide(open(ALICE, "/ls/local/x", CreateMode.MAY, OpenMode.WRITE)).reason());
        Decision root = decide(open(ROOT, "/ls/local/x", CreateMode.MAY, OpenMode.WRITE));
        assertTrue(root.allowed());
        assertEquals(List.of(), root.consulted(), "a superuser's decision rests on no ACL file");
    }

    @Test
    void superusersBypassEverythingButOnlyWhenAuthenticated() {
        ns.setAcls("/svc/leader", "gone", "", "");
        for (CellOperation op : CellOperation.values()) {
            String path = op.touchesNode() ? "/ls/local/svc/leader" : null;
            CellRequest r = op == CellOperation.OPEN ? open(ROOT, "/ls/local/svc/leader", CreateMode.NO,
                    OpenMode.values()) : call(ROOT, op, path);
            assertTrue(decide(r).allowed(), op.toString());
        }
        assertEquals("alice may not run admin commands (only acl.superusers may)",
                decide(call(ALICE, CellOperation.ADMIN, null)).reason());
        AclService anonymousRoot = new AclService(null, config("anonymous", true), System::nanoTime);
        try {
            assertFalse(anonymousRoot.authorize(call(Principal.ANONYMOUS, CellOperation.ADMIN, null), ns).allowed(),
                    "a connection that proved nothing is never a superuser");
        } finally {
            anonymousRoot.close();
        }
    }

    @Test
    void aDecisionMadeAfterDeactivationStillDecides() {
        // A request may take the Authorizer just before DS unregisters it and decide after close():
        // it once failed with a NullPointerException from a destroyed Shiro (AclHotSwapIT).
        AclService stopping = new AclService(null, config("root", false), System::nanoTime);
        stopping.close();
        Decision d = stopping.authorize(call(READER, CellOperation.GET_CONTENTS, "/ls/local/svc/leader"), ns);
        assertTrue(d.allowed(), d.reason());
        assertEquals("writer may not read /ls/local/svc/leader (read ACL /ls/local/acl/r)",
                stopping.authorize(call(WRITER, CellOperation.GET_CONTENTS, "/ls/local/svc/leader"), ns).reason());
    }

    @Test
    void anonymousSessionsOnlyWhenConfiguredAndAnonymousMatchesOnlyWhereListed() {
        assertEquals("anonymous may not create a session (acl.anonymous is false: authenticate with a TLS client "
                        + "certificate or a user name and password)",
                decide(call(Principal.ANONYMOUS, CellOperation.CREATE_SESSION, null)).reason());
        assertTrue(decide(call(ALICE, CellOperation.CREATE_SESSION, null)).allowed());
        AclService open = new AclService(null, config("", true), System::nanoTime);
        try {
            assertTrue(open.authorize(call(Principal.ANONYMOUS, CellOperation.CREATE_SESSION, null), ns).allowed());
            assertEquals("anonymous may not read /ls/local/svc/leader (read ACL /ls/local/acl/r)",
                    open.authorize(call(Principal.ANONYMOUS, CellOperation.GET_CONTENTS, "/ls/local/svc/leader"), ns)
                            .reason());
            ns.put("/acl/r", "reader\nanonymous\n");
            assertTrue(open.authorize(call(Principal.ANONYMOUS, CellOperation.GET_CONTENTS, "/ls/local/svc/leader"),
                    ns).allowed());
        } finally {
            open.close();
        }
    }

    @Test
    void releaseIsAlwaysAllowedAndHandleCallsOnAGoneNodeAreLeftToTheCell() {
        assertTrue(decide(call(BOB, CellOperation.RELEASE, "/ls/local/svc/leader")).allowed());
        ns.delete("/svc/leader");
        assertTrue(decide(call(BOB, CellOperation.GET_CONTENTS, "/ls/local/svc/leader")).allowed(),
                "the cell answers the stale handle; there is nothing left to protect");
        assertTrue(decide(call(BOB, CellOperation.CHECK_SEQUENCER, null)).allowed(),
                "a sequencer naming no lock: CheckSequencer says it is invalid");
    }

    @Test
    void aChangedAclFileDecidesTheNextCallEvenBeforeTheChangeFeedDeliversIt() {
        Function<Principal, Decision> write = p -> decide(call(p, CellOperation.SET_CONTENTS, "/ls/local/svc/leader"));
        assertTrue(write.apply(WRITER).allowed());
        int reads = ns.contentsReads();
        assertTrue(write.apply(WRITER).allowed());
        assertEquals(reads, ns.contentsReads(), "an unchanged ACL file comes from the cache");
        ns.write("/acl/w", "alice\n");            // feed not delivered: the version in the key tells
        assertFalse(write.apply(WRITER).allowed(), "revoked from the next call");
        assertTrue(write.apply(ALICE).allowed());
        ns.delete("/acl/w");
        assertEquals("alice may not write /ls/local/svc/leader (write ACL /ls/local/acl/w does not exist)",
                write.apply(ALICE).reason());
        ns.put("/acl/w", "writer\n");             // a new instance, generation 1 again
        assertTrue(write.apply(WRITER).allowed());
        assertFalse(write.apply(ALICE).allowed());
    }

    @Test
    void theChangeFeedEvictsChangedAclFilesAndAGapClearsTheCache() {
        assertTrue(decide(call(WRITER, CellOperation.SET_CONTENTS, "/ls/local/svc/leader")).allowed());
        assertTrue(decide(call(READER, CellOperation.GET_CONTENTS, "/ls/local/svc/leader")).allowed());
        assertEquals(2, acl.cache().size());
        acl.changes(List.of(ns.write("/acl/w", "alice\n"), ns.write("/svc/leader", "not an acl file")));
        assertEquals(1, acl.cache().size(), "only /acl/w evicted");
        acl.gap(10, 20, "fell behind");
        assertEquals(0, acl.cache().size());
        assertTrue(decide(call(ALICE, CellOperation.SET_CONTENTS, "/ls/local/svc/leader")).allowed());
    }

    @Test
    void aReconfigurationTakesEffectInPlace() {
        assertFalse(decide(call(ALICE, CellOperation.ADMIN, null)).allowed());
        acl.modified(config("alice,root", false));
        assertTrue(decide(call(ALICE, CellOperation.ADMIN, null)).allowed());
    }
}
