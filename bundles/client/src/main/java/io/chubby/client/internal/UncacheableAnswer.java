package io.chubby.client.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;

/**
 * An error answer marked {@code Error.uncacheable} (protocol 1.5.0): a proxy answered an Open's
 * NO_SUCH_NODE from its own cache of absent nodes. The master registered the proxy's session for
 * that absence, not ours, so nobody would invalidate a copy we kept: {@link ClientCore} does not
 * cache it. To callers it is an ordinary {@link ChubbyException}.
 */
final class UncacheableAnswer extends ChubbyException {
    private static final long serialVersionUID = 1L;

    UncacheableAnswer(ErrorCode code, String message) {
        super(code, message);
    }
}
