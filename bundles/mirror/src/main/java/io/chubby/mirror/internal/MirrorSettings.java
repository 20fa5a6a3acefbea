package io.chubby.mirror.internal;

import io.chubby.client.ClientSecurity;
import io.chubby.mirror.internal.plan.Subtrees;

/**
 * One mirror's configuration, checked.
 *
 * @param name        the mirror's name (its client name is {@code mirror-<name>})
 * @param sourceCell  the source cell: {@code host:port,...} or {@code dns:<zone>@<server>}
 * @param subtrees    source and target subtrees
 * @param removalCap  most nodes one reconciliation removes without a confirmed source root
 * @param retryMillis pause before reconnecting after a failure
 * @param touchMillis longest quiet spell of the mirror's session with its own cell: a cheap call
 *                    (a listing) then keeps it from being ended as idle ({@code cell.session.idle.ms})
 * @param sourceSecurity how the mirror reaches the source cell (TLS, certificate, password login)
 * @param targetSecurity how the mirror reaches its own cell, where it writes the target subtree
 */
public record MirrorSettings(String name, String sourceCell, Subtrees subtrees, int removalCap, long retryMillis,
                             long touchMillis, ClientSecurity sourceSecurity, ClientSecurity targetSecurity) {

    /** The default touch period: a third of the cell's default idle time (60 s). */
    public static final long DEFAULT_TOUCH_MILLIS = 20_000;

    /** Settings with the default touch period. */
    public MirrorSettings(String name, String sourceCell, Subtrees subtrees, int removalCap, long retryMillis) {
        this(name, sourceCell, subtrees, removalCap, retryMillis, DEFAULT_TOUCH_MILLIS);
    }

    /** Settings of a mirror between plaintext, anonymous cells. */
    public MirrorSettings(String name, String sourceCell, Subtrees subtrees, int removalCap, long retryMillis,
                          long touchMillis) {
        this(name, sourceCell, subtrees, removalCap, retryMillis, touchMillis, ClientSecurity.NONE,
                ClientSecurity.NONE);
    }

    public MirrorSettings {
        if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("mirror.name must be letters, digits, '.', '_' or '-', was '" + name + "'");
        }
        if (sourceCell == null || sourceCell.isBlank()) {
            throw new IllegalArgumentException("mirror " + name + ": mirror.source.cell is required");
        }
        if (removalCap < 0 || retryMillis <= 0 || touchMillis <= 0) {
            throw new IllegalArgumentException("mirror " + name + ": removal cap must be >= 0, retry and touch > 0");
        }
        sourceSecurity = sourceSecurity == null ? ClientSecurity.NONE : sourceSecurity;
        targetSecurity = targetSecurity == null ? ClientSecurity.NONE : targetSecurity;
    }

    /** Source cell and subtree, for status lines. */
    public String sourceDescription() {
        return sourceCell + subtrees.source();
    }
}
