package io.chubby.store.internal;

import io.chubby.spi.ReplicaIdentity;
import io.chubby.spi.StateStore;
import java.nio.file.Path;
import java.time.Clock;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell command {@code store:backup --to DIR} inside a replica: an online backup of this
 * replica's store into a new directory in DIR ({@link BdbStore#backup}), printed as one line
 * (directory, applied index, epoch, files, bytes, time). What {@code chubby backup create} runs
 * through the admin channel. A component of its own viewing the store component (never registered
 * from the store's activation, see {@link BdbStore}); throws on failure, so the admin call reports a
 * failure status.
 */
@Component(service = BackupCommands.class, property = {"osgi.command.scope=store", "osgi.command.function=backup"})
public final class BackupCommands {
    static final String USAGE = "usage: store:backup --to DIR";

    private final BdbStore store;
    private final ReplicaIdentity identity;
    private final Clock clock;

    @Activate
    public BackupCommands(@Reference(name = "store", target = BdbStore.COMPONENT_FILTER) StateStore store,
                          @Reference(name = "identity") ReplicaIdentity identity) {
        this((BdbStore) store, identity, Clock.systemUTC());
    }

    BackupCommands(BdbStore store, ReplicaIdentity identity, Clock clock) {
        this.store = store;
        this.identity = identity;
        this.clock = clock;
    }

    /** See the class comment. */
    public String backup(String... args) {
        if (args.length != 2 || !args[0].equals("--to") || args[1].isBlank()) {
            throw new IllegalArgumentException(USAGE);
        }
        return store.backup(Path.of(args[1]), identity.cellName(), identity.replicaId(), clock).describe();
    }
}
