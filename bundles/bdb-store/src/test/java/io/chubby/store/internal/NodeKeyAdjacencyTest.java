package io.chubby.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.api.NodePath;
import io.chubby.spi.StateStore.Mutation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JE's key order plus {@link NodePath#storageKey()} keeps a directory's children in one range. */
class NodeKeyAdjacencyTest {
    private static final String CELL = "c";

    @TempDir
    Path dir;

    private static List<String> children(BdbStore s, NodePath parent) {
        List<String> out = new ArrayList<>();
        s.scan("nodes", parent.childrenKeyFrom(), parent.childrenKeyTo(), (k, v) -> {
            out.add(NodePath.fromStorageKey(CELL, k).toString());
            assertEquals(new String(v, StandardCharsets.UTF_8), NodePath.fromStorageKey(CELL, k).toString());
            return true;
        });
        return out;
    }

    @Test
    void childrenRangeHoldsExactlyTheChildren() {
        List<String> names = List.of(
                "/ls/c/a", "/ls/c/a/b", "/ls/c/a/c", "/ls/c/a/b1", "/ls/c/a/Z", "/ls/c/a/-x", // a's children
                "/ls/c/a/b/x", "/ls/c/a/c/d/e",                                      // grandchildren
                "/ls/c/ab", "/ls/c/b", "/ls/c/a-", "/ls/c/a.", "/ls/c/a0",             // siblings of a
                "/ls/c/a-/x", "/ls/c/a./x", "/ls/c/a0/x", "/ls/c/aa/x", "/ls/c/b/a");  // cousins at depth 2
        List<Mutation> ms = new ArrayList<>();
        for (String n : names) {
            NodePath p = NodePath.parse(n);
            ms.add(new Mutation("nodes", p.storageKey(), n.getBytes(StandardCharsets.UTF_8)));
        }
        ms.add(new Mutation("nodes", NodePath.root(CELL).storageKey(), "/ls/c".getBytes(StandardCharsets.UTF_8)));
        try (BdbStore s = BdbStore.open(dir)) {
            s.commit(1, 0, ms);
            assertEquals(List.of("/ls/c/a/-x", "/ls/c/a/Z", "/ls/c/a/b", "/ls/c/a/b1", "/ls/c/a/c"),
                    children(s, NodePath.parse("/ls/c/a")));
            assertEquals(List.of("/ls/c/a/b/x"), children(s, NodePath.parse("/ls/c/a/b")));
            assertEquals(List.of(), children(s, NodePath.parse("/ls/c/a/b1")));
            assertEquals(List.of("/ls/c/a", "/ls/c/a-", "/ls/c/a.", "/ls/c/a0", "/ls/c/ab", "/ls/c/b"),
                    children(s, NodePath.root(CELL)));
        }
    }
}
