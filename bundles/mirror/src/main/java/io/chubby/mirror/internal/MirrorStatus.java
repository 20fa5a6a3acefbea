package io.chubby.mirror.internal;

/**
 * One mirror's status, an immutable snapshot published by its worker.
 *
 * @param name              the mirror's name
 * @param source            source cell and subtree
 * @param target            target subtree in this cell
 * @param state             where it is
 * @param lagEntries        source events received and not yet applied to the target
 * @param lagMillis         age of the oldest of them, 0 when none
 * @param lastReconciliation when the last reconciliation ended (ms since the epoch, 0: never) and what it did
 * @param detail            the last error or withheld removals, empty when none
 */
public record MirrorStatus(String name, String source, String target, MirrorState state, int lagEntries,
                           long lagMillis, long lastReconciliationMillis, String lastReconciliation, String detail) {

    public MirrorStatus with(MirrorState s) {
        return new MirrorStatus(name, source, target, s, lagEntries, lagMillis, lastReconciliationMillis,
                lastReconciliation, detail);
    }

    public MirrorStatus withLag(int entries, long millis) {
        return new MirrorStatus(name, source, target, state, entries, millis, lastReconciliationMillis,
                lastReconciliation, detail);
    }

    public MirrorStatus withReconciliation(long atMillis, String what) {
        return new MirrorStatus(name, source, target, state, lagEntries, lagMillis, atMillis, what, detail);
    }

    public MirrorStatus withDetail(String d) {
        return new MirrorStatus(name, source, target, state, lagEntries, lagMillis, lastReconciliationMillis,
                lastReconciliation, d == null ? "" : d);
    }

    /** One line: {@code name source=... target=... state=... lag=N/Mms last=... detail}. */
    public String line() {
        return name + " source=" + source + " target=" + target + " state=" + state.name().toLowerCase()
                + " lag=" + lagEntries + "/" + lagMillis + "ms last_reconciliation="
                + (lastReconciliationMillis == 0 ? "never" : java.time.Instant.ofEpochMilli(lastReconciliationMillis)
                + " (" + lastReconciliation + ")") + (detail.isEmpty() ? "" : " detail=\"" + detail + "\"");
    }
}
