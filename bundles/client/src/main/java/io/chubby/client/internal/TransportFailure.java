package io.chubby.client.internal;

/**
 * A call attempt failed below the protocol: the connection could not be made, broke, or gave no
 * answer in time. {@link #sent()} says whether the request may have reached the server, which
 * decides whether a write may be retried.
 */
final class TransportFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean sent;
    private final boolean timedOut;

    TransportFailure(String message, boolean sent, boolean timedOut) {
        super(message, null, false, false);
        this.sent = sent;
        this.timedOut = timedOut;
    }

    boolean sent() {
        return sent;
    }

    boolean timedOut() {
        return timedOut;
    }
}
