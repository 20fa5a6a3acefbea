package io.chubby.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.Stat;
import io.chubby.spi.NodeChange;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FakeNamespaceTest {
    @Test
    void nodesInheritTheirParentsAclNamesUnlessGivenOthers() {
        FakeNamespace ns = new FakeNamespace("local");
        ns.mkdir("/svc", "readers", "writers", "admins");
        ns.put("/svc/leader", "x");
        ns.put("/svc/other", "y", "r2", null, null);
        Stat leader = ns.stat("/svc/leader");
        assertEquals(List.of("readers", "writers", "admins"), List.of(leader.readAcl(), leader.writeAcl(), leader.changeAcl()));
        Stat other = ns.stat("/svc/other");
        assertEquals(List.of("r2", "writers", "admins"), List.of(other.readAcl(), other.writeAcl(), other.changeAcl()));
        assertEquals(List.of("leader", "other"), ns.children("/svc").stream().map(e -> e.name()).toList());
        assertEquals(List.of("svc"), ns.children("/").stream().map(e -> e.name()).toList());
    }

    @Test
    void generationsGrowAsInTheCellAndChangesAreReported() {
        FakeNamespace ns = new FakeNamespace("local");
        NodeChange created = ns.put("/f", "a");
        NodeChange written = ns.write("/f", "bb");
        NodeChange acl = ns.setAcls("/f", "r", null, null);
        assertEquals(NodeChange.Kind.CREATED, created.kind());
        assertEquals(NodeChange.Kind.CONTENTS_CHANGED, written.kind());
        assertEquals(2, written.contentGeneration());
        assertEquals(NodeChange.Kind.ACL_CHANGED, acl.kind());
        assertEquals(2, ns.stat("/f").aclGeneration());
        assertArrayEquals("bb".getBytes(StandardCharsets.UTF_8), ns.contents("/f"));
        assertEquals(3, ns.appliedIndex());
        long first = ns.stat("/f").instance();
        ns.delete("/f");
        assertNull(ns.stat("/f"));
        assertNull(ns.contents("/f"));
        ns.put("/f", "again");
        assertTrue(ns.stat("/f").instance() > first, "a new node has a larger instance");
        assertEquals(2, ns.contentsReads(), "two contents reads so far");
    }

    @Test
    void refusesWhatTheCellRefuses() {
        FakeNamespace ns = new FakeNamespace("local");
        assertThrows(IllegalStateException.class, () -> ns.put("/missing/f", "x"));
        ns.mkdir("/d");
        ns.put("/d/f", "x");
        assertThrows(IllegalStateException.class, () -> ns.delete("/d"));
        assertThrows(IllegalStateException.class, () -> ns.mkdir("/d"));
    }
}
