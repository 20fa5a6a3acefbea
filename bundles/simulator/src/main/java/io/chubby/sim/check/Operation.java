package io.chubby.sim.check;

/**
 * One client operation of a recorded history.
 *
 * @param client   who issued it (operations of one client never overlap)
 * @param invoke   when it was invoked (any monotonic clock shared by all clients)
 * @param complete when its answer arrived, or {@link #UNKNOWN} when the outcome is unknown
 *                 (timeout, connection lost): it may have taken effect at any time after invoke,
 *                 or never
 * @param input    what was asked (model specific)
 * @param output   what was answered (model specific; ignored for unknown outcomes)
 */
public record Operation(int client, long invoke, long complete, Object input, Object output) {
    public static final long UNKNOWN = Long.MAX_VALUE;

    public boolean known() {
        return complete != UNKNOWN;
    }
}
