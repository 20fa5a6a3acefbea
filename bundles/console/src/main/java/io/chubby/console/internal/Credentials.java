package io.chubby.console.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * A user name and password from an HTTP {@code Authorization: Basic} header. Pure.
 */
record Credentials(String user, char[] password) {

    /** The credentials of the header, or empty when it is absent or not well-formed Basic. */
    static Optional<Credentials> fromBasic(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        return Optional.of(new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1).toCharArray()));
    }

    @Override
    public String toString() {
        return "Credentials[" + user + "]";
    }
}
