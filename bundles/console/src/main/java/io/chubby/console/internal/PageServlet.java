package io.chubby.console.internal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Function;

/**
 * One page of the plug-in as a web console plug-in servlet: the web console frames what it writes
 * with its header and navigation (GET) after its security provider let the request in. Checks
 * {@link Route} first, then renders the page from the request's {@code path} parameter (only
 * the namespace browser reads it).
 */
final class PageServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final String label;
    private final transient Function<String, Rendered> page;

    PageServlet(String label, Function<String, Rendered> page) {
        this.label = label;
        this.page = page;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        int status = Route.check(req.getMethod(), req.getRequestURI(), label);
        resp.setHeader("Cache-Control", "no-store");
        if (status == 405) {
            resp.setHeader("Allow", Route.ALLOW);
            resp.sendError(405, "the console's pages are read-only: " + Route.ALLOW);
            return;
        }
        Rendered r = status == 200 ? page.apply(req.getParameter("path"))
                : new Rendered(404, "<p class=\"chubby-missing\">No such page.</p>");
        resp.setStatus(r.status());
        if (!resp.isCommitted() && resp.getContentType() == null) {
            resp.setContentType("text/html; charset=utf-8");
        }
        if (!req.getMethod().equals("HEAD")) {
            resp.getWriter().write(r.html());
        }
    }
}
