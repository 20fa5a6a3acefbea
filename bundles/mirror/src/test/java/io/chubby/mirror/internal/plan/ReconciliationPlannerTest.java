package io.chubby.mirror.internal.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.mirror.internal.plan.MirrorAction.CopyFile;
import io.chubby.mirror.internal.plan.MirrorAction.MakeDirectory;
import io.chubby.mirror.internal.plan.MirrorAction.Remove;
import io.chubby.mirror.internal.plan.MirrorAction.SetAcls;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReconciliationPlannerTest {
    private static final RemovalGuard GUARD = new RemovalGuard(10, 0);

    private static NodeState dir(String r) {
        return NodeState.directory(r);
    }

    private static NodeState file(String r, long checksum) {
        return NodeState.file(r, checksum, 8);
    }

    private static Listing source(NodeState... nodes) {
        return Listing.authoritative(List.of(nodes), 42);
    }

    private static Listing target(NodeState... nodes) {
        return Listing.authoritative(List.of(nodes), 7);
    }

    private static List<String> describe(Plan plan) {
        List<String> out = new ArrayList<>();
        for (MirrorAction a : plan.actions()) {
            if (a instanceof MakeDirectory m) {
                out.add("mkdir " + m.relative());
            } else if (a instanceof CopyFile c) {
                out.add("copy " + c.relative());
            } else if (a instanceof SetAcls s) {
                out.add("acl " + s.relative());
            } else if (a instanceof Remove r) {
                out.add("rm " + r.relative() + " (" + r.nodes() + ")");
            }
        }
        return out;
    }

    @Test
    void emptyTargetGetsTheWholeTreeParentsFirst() {
        Plan p = ReconciliationPlanner.plan(
                source(dir(""), dir("a"), file("a/x", 1), dir("a/b"), file("a/b/y", 2), file("z", 3)),
                target(dir("")), GUARD);
        assertEquals(List.of("mkdir a", "mkdir a/b", "copy a/b/y", "copy a/x", "copy z"), describe(p));
        assertEquals(0, p.withheldRemovals());
    }

    @Test
    void equalTreesNeedNothing() {
        Listing s = source(dir(""), dir("a"), file("a/x", 1));
        Plan p = ReconciliationPlanner.plan(s, target(dir(""), dir("a"), file("a/x", 1)), GUARD);
        assertTrue(p.isEmpty(), p.toString());
    }

    @Test
    void changedChecksumOrSizeIsCopiedAgain() {
        Plan p = ReconciliationPlanner.plan(
                source(dir(""), file("x", 1), NodeState.file("y", 5, 9)),
                target(dir(""), file("x", 2), NodeState.file("y", 5, 8)), GUARD);
        assertEquals(List.of("copy x", "copy y"), describe(p));
    }

    @Test
    void extraNodesAreRemovedTopMostOnlyAfterTheCopies() {
        Plan p = ReconciliationPlanner.plan(
                source(dir(""), file("keep", 1), file("new", 2)),
                target(dir(""), file("keep", 1), dir("old"), file("old/a", 1), file("old/b", 1), file("gone", 4)),
                GUARD);
        assertEquals(List.of("copy new", "rm gone (1)", "rm old (3)"), describe(p));
        assertEquals(4, p.removedNodes());
    }

    @Test
    void aNodeWhoseKindChangedIsReplacedBeforeItIsCreated() {
        Plan p = ReconciliationPlanner.plan(
                source(dir(""), dir("n"), file("n/c", 1)),
                target(dir(""), file("n", 1)), GUARD);
        assertEquals(List.of("rm n (1)", "mkdir n", "copy n/c"), describe(p));
    }

    @Test
    void aclNamesAreRewrittenWhereTheyDiffer() {
        Plan p = ReconciliationPlanner.plan(
                source(dir(""), file("x", 1).withAcls("r", "w", "c"), file("y", 1).withAcls("r", "w", "c")),
                target(dir(""), file("x", 1), file("y", 1).withAcls("r", "w", "c")), GUARD);
        assertEquals(List.of("acl x"), describe(p));
    }

    @Test
    void ephemeralSourceNodesAreNotMirroredAndTheirCopiesGo() {
        NodeState eph = new NodeState("lock", false, true, 1, 1, null, null, null);
        Plan p = ReconciliationPlanner.plan(source(dir(""), eph, file("x", 1)),
                target(dir(""), file("lock", 1)), GUARD);
        assertEquals(List.of("copy x", "rm lock (1)"), describe(p));
    }

    @Test
    void theTargetRootIsNeverRemovedEvenWhenTheSourceRootIsGone() {
        Plan p = ReconciliationPlanner.plan(Listing.authoritative(List.of(), 0),
                target(dir(""), file("a", 1)), new RemovalGuard(10, 0));
        assertEquals(List.of("rm a (1)"), describe(p));
    }

    @Test
    void aPartialListingNeverRemovesAnything() {
        Plan p = ReconciliationPlanner.plan(Listing.partial(List.of(dir(""), file("new", 1))),
                target(dir(""), file("a", 1), file("b", 1)), GUARD);
        assertEquals(List.of("copy new"), describe(p));
        assertEquals(2, p.withheldRemovals());
        assertTrue(p.withheldReason().contains("not authoritative"), p.withheldReason());
    }

    @Test
    void removalsOverTheCapAreWithheldUnlessTheSourceRootIsConfirmed() {
        List<NodeState> many = new ArrayList<>(List.of(dir("")));
        for (int i = 0; i < 20; i++) {
            many.add(file("f" + i, i));
        }
        Listing emptySource = Listing.authoritative(List.of(dir("")), 42);
        Listing fullTarget = Listing.authoritative(many, 7);

        Plan capped = ReconciliationPlanner.plan(emptySource, fullTarget, new RemovalGuard(10, 0));
        assertTrue(capped.isEmpty(), capped.toString());
        assertEquals(20, capped.withheldRemovals());
        assertTrue(capped.withheldReason().contains("exceed the cap of 10"), capped.withheldReason());

        Plan otherRoot = ReconciliationPlanner.plan(emptySource, fullTarget, new RemovalGuard(10, 41));
        assertEquals(20, otherRoot.withheldRemovals());

        Plan confirmed = ReconciliationPlanner.plan(emptySource, fullTarget, new RemovalGuard(10, 42));
        assertEquals(20, confirmed.removedNodes());
        assertEquals(0, confirmed.withheldRemovals());
        assertNull(confirmed.withheldReason());
    }

    @Test
    void underTheCapRemovalsNeedNoConfirmation() {
        Plan p = ReconciliationPlanner.plan(source(dir("")), target(dir(""), file("a", 1), file("b", 1)),
                new RemovalGuard(2, 0));
        assertEquals(List.of("rm a (1)", "rm b (1)"), describe(p));
    }

    @Test
    void aWithheldReplacementLeavesTheOldNodeAndItsNewChildrenAlone() {
        Plan p = ReconciliationPlanner.plan(
                Listing.partial(List.of(dir(""), dir("n"), file("n/c", 1), file("x", 1))),
                target(dir(""), file("n", 1)), GUARD);
        assertEquals(List.of("copy x"), describe(p));
        assertEquals(1, p.withheldRemovals());
    }

    @Test
    void aMissingTargetRootIsCreatedFirst() {
        Plan p = ReconciliationPlanner.plan(source(dir(""), file("a", 1)), Listing.authoritative(List.of(), 0), GUARD);
        assertEquals(List.of("mkdir ", "copy a"), describe(p));
    }
}
