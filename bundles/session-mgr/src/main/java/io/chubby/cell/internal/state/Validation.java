package io.chubby.cell.internal.state;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;

/**
 * Checks made by the master before proposing, so that a request that would be rejected for its
 * size never reaches the log (limits are configuration, which replicas need not share, so apply
 * cannot check them deterministically).
 */
public final class Validation {
    private Validation() {
    }

    public static void contentSize(String path, int size, int maxBytes) {
        if (size > maxBytes) {
            throw ChubbyException.of(ErrorCode.TOO_LARGE, "contents of %s are %d bytes; the limit is %d "
                    + "(cell.max.content.bytes)", path, size, maxBytes);
        }
    }
}
