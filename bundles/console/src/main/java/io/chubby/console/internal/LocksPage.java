package io.chubby.console.internal;

import static io.chubby.console.internal.Html.esc;
import static io.chubby.console.internal.Html.td;

import io.chubby.spi.SessionView.Lock;
import io.chubby.spi.SessionView.Party;
import io.chubby.spi.SessionView.Session;
import java.util.List;
import java.util.Map;

/**
 * The locks page: every node whose lock is held, waited for or held back by a lock-delay, with
 * its holders and waiters (session id, the session's client name, mode) and the lock-delay left.
 * Pure: the applied locks, the sessions by id and the time in, HTML out.
 */
final class LocksPage {
    static final String LABEL = "chubby-locks";
    static final String TITLE = "Chubby locks";

    private LocksPage() {
    }

    static Rendered render(List<Lock> locks, Map<Long, Session> sessions, long nowMillis) {
        StringBuilder b = new StringBuilder(Html.heading("Locks"));
        if (locks.isEmpty()) {
            return Rendered.ok(b.append("<p class=\"chubby-none\">No lock is held, waited for or delayed.</p>\n")
                    .toString());
        }
        b.append(Html.TABLE).append(Html.headRow("node", "holders", "waiters (first served first)", "lock-delay"));
        for (Lock l : locks) {
            b.append("<tr>").append(Html.tdRaw(Html.pathLink(l.path(), l.path())))
                    .append(Html.tdRaw(parties(l.holders(), sessions))).append(Html.tdRaw(parties(l.waiters(), sessions)))
                    .append(td(delay(l.delayUntilMillis(), nowMillis))).append("</tr>\n");
        }
        return Rendered.ok(b.append("</table>\n").toString());
    }

    private static String parties(List<Party> parties, Map<Long, Session> sessions) {
        if (parties.isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        for (Party p : parties) {
            Session s = sessions.get(p.sessionId());
            b.append(b.isEmpty() ? "" : "<br>").append("session ").append(p.sessionId());
            if (s != null) {
                b.append(" (").append(esc(s.clientName())).append(", ").append(esc(s.principal())).append(')');
            }
            b.append(", handle ").append(p.handleId()).append(", ").append(p.shared() ? "shared" : "exclusive");
        }
        return b.toString();
    }

    /** The lock-delay left at {@code nowMillis} (master clock times), or "-". */
    static String delay(long untilMillis, long nowMillis) {
        if (untilMillis == 0) {
            return "-";
        }
        long left = untilMillis - nowMillis;
        return left > 0 ? left + " ms left (until " + Html.time(untilMillis) + ")"
                : "over, the release is being applied";
    }
}
