package io.chubby.mirror.internal.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SubtreesAndLoopGuardTest {
    private final Subtrees s = Subtrees.parse("/ls/global/cfg", "/ls/local/shadow");

    @Test
    void pathsMapThroughTheRelativePath() {
        assertEquals("/ls/local/shadow/a/b", s.targetPath("a/b"));
        assertEquals("/ls/global/cfg", s.sourcePath(""));
        assertEquals("a/b", s.relativeToSource("/ls/global/cfg/a/b"));
        assertNull(s.relativeToSource("/ls/global/cfg2/a"));
        assertTrue(s.targetContains("/ls/local/shadow/x"));
        assertFalse(s.targetContains("/ls/local/shadowy"));
        assertEquals("a", Subtrees.parent("a/b"));
        assertEquals("", Subtrees.parent("a"));
        assertNull(Subtrees.parent(""));
    }

    @Test
    void aSourceInThisCellOverlappingTheTargetIsALoop() {
        Subtrees loop = Subtrees.parse("/ls/local/shadow/in", "/ls/local/shadow");
        String why = LoopGuard.refusal(loop, List.of("127.0.0.1:7001"), Set.of("127.0.0.1:7001", "127.0.0.1:7002"), List.of());
        assertTrue(why.startsWith("loop"), why);
        assertTrue(LoopGuard.refusal(Subtrees.parse("/ls/local/a", "/ls/local/a/b"), List.of("h:1"), Set.of("h:1"), List.of()) != null);
    }

    @Test
    void anotherCellOrDisjointSubtreesAreFine() {
        assertNull(LoopGuard.refusal(Subtrees.parse("/ls/local/a", "/ls/local/a"), List.of("h:9"), Set.of("h:1"), List.of()));
        assertNull(LoopGuard.refusal(Subtrees.parse("/ls/local/a", "/ls/local/b"), List.of("h:1"), Set.of("h:1"), List.of()));
    }

    @Test
    void overlappingTargetsOfTwoMirrorsAreRefused() {
        String why = LoopGuard.refusal(s, List.of("h:9"), Set.of("h:1"), List.of(Subtrees.parse("/ls/x/y", "/ls/local/shadow/sub")));
        assertTrue(why.contains("another mirror"), why);
    }
}
