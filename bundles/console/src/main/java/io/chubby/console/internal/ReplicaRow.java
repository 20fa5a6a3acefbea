package io.chubby.console.internal;

/**
 * One replica as the cell page shows it: what its Status answered, or that it did not answer.
 *
 * @param id           replica id
 * @param address      its client address (host:port)
 * @param role         "master", "replica", "candidate", or {@link #DOWN} when it did not answer
 * @param masterId     the master it names, 0 if none
 * @param epoch        that master's epoch
 * @param commitIndex  highest index it knows chosen
 * @param appliedIndex highest index it applied
 * @param checksum     the checksum of its state at {@code appliedIndex}
 * @param self         true for the replica serving the page
 * @param problem      why it is shown down ("" otherwise)
 */
record ReplicaRow(int id, String address, String role, int masterId, long epoch, long commitIndex,
                  long appliedIndex, long checksum, boolean self, String problem) {
    static final String DOWN = "down";

    ReplicaRow {
        problem = problem == null ? "" : problem;
    }

    static ReplicaRow down(int id, String address, String problem) {
        return new ReplicaRow(id, address, DOWN, 0, 0, 0, 0, 0, false, problem);
    }

    boolean up() {
        return !DOWN.equals(role);
    }
}
