package io.chubby.acl.internal;

import static io.chubby.acl.internal.Fixtures.ALICE;
import static io.chubby.acl.internal.Fixtures.call;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.spi.CellOperation;
import io.chubby.spi.CellRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AuditLogTest {
    private final AtomicLong nanos = new AtomicLong();
    private final List<String> lines = new ArrayList<>();

    private static AccessRules.Verdict denial() {
        return AccessRules.Verdict.deny("alice may not write /ls/local/svc/leader (write ACL /ls/local/acl/svc-writers)",
                List.of(), "write", "/ls/local/svc/leader", "/ls/local/acl/svc-writers");
    }

    @Test
    void oneStructuredLinePerDenial() {
        AuditLog audit = new AuditLog(10, nanos::get, lines::add);
        CellRequest r = call(ALICE, CellOperation.SET_CONTENTS, "/ls/local/svc/leader");
        audit.denied(r, denial());
        assertEquals(1, lines.size());
        assertEquals("acl denied principal=alice mechanism=password op=SET_CONTENTS node=/ls/local/svc/leader "
                + "right=write acl=/ls/local/acl/svc-writers session=7 conn=" + r.connection().id() + " remote="
                + r.connection().remoteAddress() + " reason=\"alice may not write /ls/local/svc/leader "
                + "(write ACL /ls/local/acl/svc-writers)\"", lines.get(0));
    }

    @Test
    void linesBeyondTheRateAreCountedAndTheCountIsLoggedWithTheNextLine() {
        AuditLog audit = new AuditLog(3, nanos::get, lines::add);
        CellRequest r = call(ALICE, CellOperation.SET_CONTENTS, "/ls/local/svc/leader");
        for (int i = 0; i < 10; i++) {
            audit.denied(r, denial());
        }
        assertEquals(3, lines.size(), "three per second");
        nanos.addAndGet(1_000_000_000L);
        audit.denied(r, denial());
        assertEquals(5, lines.size());
        assertEquals("acl denials not logged: 7 (acl.audit.per.second=3)", lines.get(3));
        assertTrue(lines.get(4).startsWith("acl denied principal=alice"));
    }

    @Test
    void aRateOfZeroLogsEveryDenial() {
        AuditLog audit = new AuditLog(0, nanos::get, lines::add);
        CellRequest r = call(ALICE, CellOperation.SET_CONTENTS, "/ls/local/svc/leader");
        for (int i = 0; i < 500; i++) {
            audit.denied(r, denial());
        }
        assertEquals(500, lines.size());
        assertTrue(lines.stream().allMatch(l -> l.startsWith("acl denied ")));
    }
}
