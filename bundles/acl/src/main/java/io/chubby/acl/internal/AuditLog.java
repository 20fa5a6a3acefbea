package io.chubby.acl.internal;

import io.chubby.spi.CellRequest;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One structured line per denial ({@code acl.audit.per.second} of them at most per second; the
 * lines held back are counted and the count is written before the next line that passes):
 * <pre>
 * acl denied principal=alice mechanism=password op=SET_CONTENTS node=/ls/local/svc/leader right=write
 *     acl=/ls/local/acl/svc-writers session=7 conn=12 remote=127.0.0.1:50412 reason="alice may not write ..."
 * acl denials not logged: 1234 (acl.audit.per.second=100)
 * </pre>
 * (one line each). Values that may hold spaces are quoted.
 */
final class AuditLog {
    private final RatePerWindow rate;
    private final int perSecond;
    private final Consumer<String> sink;

    AuditLog(int perSecond, LongSupplier nanos, Consumer<String> sink) {
        this.perSecond = perSecond;
        this.rate = new RatePerWindow(perSecond, 1_000_000_000L, nanos);
        this.sink = sink;
    }

    void denied(CellRequest r, AccessRules.Verdict v) {
        RatePerWindow.Admission a = rate.next();
        if (!a.passes()) {
            return;
        }
        if (a.heldBackBefore() > 0) {
            sink.accept("acl denials not logged: " + a.heldBackBefore() + " (acl.audit.per.second=" + perSecond + ")");
        }
        sink.accept("acl denied principal=" + quote(r.principal().name())
                + " mechanism=" + r.principal().mechanism().name().toLowerCase(java.util.Locale.ROOT)
                + " op=" + r.operation()
                + " node=" + (v.node().isEmpty() ? (r.path() == null ? "-" : r.path().toString()) : v.node())
                + " right=" + (v.right().isEmpty() ? "-" : v.right())
                + " acl=" + (v.acl().isEmpty() ? "-" : quote(v.acl()))
                + " session=" + r.sessionId()
                + " conn=" + r.connection().id()
                + " remote=" + quote(r.connection().remoteAddress())
                + " reason=\"" + v.decision().reason().replace("\"", "'") + "\"");
    }

    private static String quote(String s) {
        if (s == null || s.isEmpty()) {
            return "\"\"";
        }
        boolean plain = s.chars().noneMatch(c -> c <= ' ' || c == '"' || c == '=');
        return plain ? s : "\"" + s.replace("\"", "'") + "\"";
    }
}
