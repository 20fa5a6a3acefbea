package io.chubby.console.internal;

import static io.chubby.console.internal.Html.td;

import io.chubby.spi.SessionView.Session;
import java.util.List;

/**
 * The sessions page: every session of the applied state (id, client name, principal, creation
 * time, open handles). Lease ends are the master's memory and not shown. Pure: sessions in, HTML
 * out.
 */
final class SessionsPage {
    static final String LABEL = "chubby-sessions";
    static final String TITLE = "Chubby sessions";

    private SessionsPage() {
    }

    static Rendered render(List<Session> sessions) {
        StringBuilder b = new StringBuilder(Html.heading(sessions.size() + (sessions.size() == 1 ? " session"
                : " sessions")));
        if (sessions.isEmpty()) {
            return Rendered.ok(b.append("<p class=\"chubby-none\">No session.</p>\n").toString());
        }
        b.append(Html.TABLE).append(Html.headRow("session", "client name", "principal", "created", "open handles"));
        for (Session s : sessions) {
            b.append("<tr>").append(td(s.id())).append(td(s.clientName())).append(td(s.principal()))
                    .append(td(Html.time(s.createdMillis()))).append(td(s.handles())).append("</tr>\n");
        }
        return Rendered.ok(b.append("</table>\n").toString());
    }
}
