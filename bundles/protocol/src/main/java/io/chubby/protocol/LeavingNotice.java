package io.chubby.protocol;

import io.chubby.api.ErrorCode;

/**
 * The notice a stopping server sends, unasked, on each client connection before it closes it
 * (docs/PROTOCOL.md section 4, "A replica that stops"): a {@link Response} with call id 0, error
 * NOT_MASTER and where to go instead. Built here and recognised here, so a replica, a proxy and
 * the client agree on its shape. Since 1.7.0.
 */
public final class LeavingNotice {
    private LeavingNotice() {
    }

    /** The notice: {@code message} says who leaves and why; {@code where}, the master to go to (id 0: ask the others). */
    public static Response of(String message, MasterLocation where) {
        return Response.newBuilder().setCallId(0)
                .setError(Error.newBuilder().setCode(ErrorCode.NOT_MASTER.wire()).setMessage(message))
                .setMaster(where).build();
    }

    /** Whether {@code r} is a leaving notice (no call of the client's is answered with call id 0 and NOT_MASTER). */
    public static boolean is(Response r) {
        return r.getCallId() == 0 && r.hasError() && r.getError().getCode() == ErrorCode.NOT_MASTER.wire();
    }
}
