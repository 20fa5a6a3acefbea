package io.chubby.console.internal;

/**
 * A page as rendered: the HTTP status and the HTML fragment the web console frames with its own
 * header and navigation.
 */
record Rendered(int status, String html) {
    static Rendered ok(String html) {
        return new Rendered(200, html);
    }
}
