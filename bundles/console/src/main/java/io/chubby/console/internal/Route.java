package io.chubby.console.internal;

/**
 * What a request to one of the plug-in's pages gets before any page is rendered: the page itself
 * is {@code GET}/{@code HEAD} on exactly {@code <console root>/<label>}; anything below it is 404,
 * any other method 405 (no page changes the cell). Pure.
 */
final class Route {
    static final String ALLOW = "GET, HEAD";

    private Route() {
    }

    /**
     * @param method the request method
     * @param uri    the request URI (no query)
     * @param label  the page's label
     * @return 200 to render the page, else the status to answer
     */
    static int check(String method, String uri, String label) {
        if (uri == null || !uri.endsWith("/" + label)) {
            return 404;
        }
        return method.equals("GET") || method.equals("HEAD") ? 200 : 405;
    }
}
