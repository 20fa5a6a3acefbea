package io.chubby.metrics.internal;

import java.nio.charset.StandardCharsets;

/**
 * What one HTTP request gets: status, content type, body, and for a 405 the methods allowed.
 *
 * @param allow the {@code Allow} header of a 405, else null
 */
record Reply(int status, String contentType, byte[] body, String allow) {
    static final String TEXT = "text/plain; charset=utf-8";

    static Reply text(int status, String line) {
        return new Reply(status, TEXT, (line + "\n").getBytes(StandardCharsets.UTF_8), null);
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
