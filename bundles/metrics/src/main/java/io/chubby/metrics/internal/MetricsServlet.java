package io.chubby.metrics.internal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The HTTP edge of {@link Endpoints}: every method goes through {@link Endpoints#answer} and the
 * {@link Reply} is copied out (no body for HEAD). Registered on the HTTP Whiteboard for
 * {@code /metrics} and {@code /health/*}.
 */
final class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient Endpoints endpoints;

    MetricsServlet(Endpoints endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getRequestURI().substring(req.getContextPath().length());
        Reply r = endpoints.answer(req.getMethod(), path);
        resp.setStatus(r.status());
        resp.setContentType(r.contentType());
        resp.setHeader("Cache-Control", "no-store");
        if (r.allow() != null) {
            resp.setHeader("Allow", r.allow());
        }
        resp.setContentLength(r.body().length);
        if (!req.getMethod().equals("HEAD")) {
            resp.getOutputStream().write(r.body());
        }
    }
}
