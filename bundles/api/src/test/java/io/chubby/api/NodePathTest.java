package io.chubby.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class NodePathTest {

    @Test
    void parsesCellAndComponents() {
        NodePath p = NodePath.parse("/ls/local/a/b-c/d_e.f");
        assertEquals("local", p.cell());
        assertEquals(List.of("a", "b-c", "d_e.f"), p.components());
        assertEquals(3, p.depth());
        assertEquals("d_e.f", p.name());
        assertEquals("/ls/local/a/b-c", p.parent().toString());
        assertEquals("/a/b-c/d_e.f", p.cellRelative());
        assertTrue(NodePath.parse("/ls/local").isRoot());
        assertEquals("/", NodePath.parse("/ls/local/").cellRelative());
    }

    @Test
    void rejectsBadNamesWithInvalidArgument() {
        for (String bad : new String[] {"", "x", "/ls", "/ls/", "/foo/local/a", "/ls/local//a", "/ls/local/a/../b",
                "/ls/local/./a", "/ls/local/a b", "/ls/local/ä", "/ls/local/a:b", "/ls/" + "c".repeat(256)}) {
            ChubbyException e = assertThrows(ChubbyException.class, () -> NodePath.parse(bad), bad);
            assertEquals(ErrorCode.INVALID_ARGUMENT, e.code(), bad);
            assertTrue(e.getMessage().contains("bad path"), e.getMessage());
        }
        assertThrows(ChubbyException.class, () -> NodePath.parse("/ls/local/" + "a/".repeat(2100)));
        assertThrows(ChubbyException.class, () -> NodePath.parse("/ls/local").parent());
    }

    @Test
    void acceptsMaximalComponent() {
        String c = "a".repeat(255);
        assertEquals(c, NodePath.parse("/ls/local/" + c).name());
    }

    @Test
    void storageKeyRoundTrips() {
        for (String s : new String[] {"/ls/c", "/ls/c/a", "/ls/c/a/b/c"}) {
            NodePath p = NodePath.parse(s);
            assertEquals(p, NodePath.fromStorageKey("c", p.storageKey()));
        }
    }

    /** The Chubby paper's key order: component count first, then bytes; children adjacent. */
    @Test
    void storageKeysKeepChildrenAdjacent() {
        List<String> names = List.of("/ls/c/a", "/ls/c/a/x", "/ls/c/a/y", "/ls/c/a0", "/ls/c/a/x/deep", "/ls/c/b",
                "/ls/c/b/z", "/ls/c/a-/q", "/ls/c/a/y0");
        TreeMap<byte[], String> sorted = new TreeMap<>(Arrays::compareUnsigned);
        for (String n : names) {
            sorted.put(NodePath.parse(n).storageKey(), n);
        }
        NodePath dir = NodePath.parse("/ls/c/a");
        List<String> children = new ArrayList<>(sorted.subMap(dir.childrenKeyFrom(), dir.childrenKeyTo()).values());
        assertEquals(List.of("/ls/c/a/x", "/ls/c/a/y", "/ls/c/a/y0"), children);
        // shallower paths sort first
        assertEquals("/ls/c/a", sorted.firstEntry().getValue());
        assertEquals("/ls/c/a/x/deep", sorted.lastEntry().getValue());
        NodePath root = NodePath.root("c");
        assertEquals(List.of("/ls/c/a", "/ls/c/a0", "/ls/c/b"),
                new ArrayList<>(sorted.subMap(root.childrenKeyFrom(), root.childrenKeyTo()).values()));
    }

    @Test
    void resolveAndInCell() {
        NodePath d = NodePath.parse("/ls/local/dir");
        assertEquals("/ls/local/dir/x/y", d.resolve("x/y").toString());
        assertEquals("/ls/prod/dir", d.inCell("prod").toString());
        assertFalse(d.equals(d.inCell("prod")));
        assertThrows(ChubbyException.class, () -> d.resolve("../up"));
        assertEquals(d, d.resolve(""));
        for (String bad : new String[] {"x//y", "trailing/", "/lead", "/"}) {
            assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(ChubbyException.class, () -> d.resolve(bad), bad).code(),
                    bad);
        }
    }
}
