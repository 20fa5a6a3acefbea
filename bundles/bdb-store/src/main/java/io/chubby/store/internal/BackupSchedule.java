package io.chubby.store.internal;

import io.chubby.spi.ReplicaConfig;
import io.chubby.spi.ReplicaIdentity;
import io.chubby.spi.StateStore;
import io.chubby.store.backup.BackupPruner;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduled online backups (PID {@value ReplicaConfig#BACKUP_PID}): every
 * {@code backup.interval.minutes} a backup of the store into {@code backup.target.dir}, then all
 * but the {@code backup.keep} newest backups there are deleted. Inert (no thread) while
 * {@code backup.target.dir} is blank, as it is without a configuration. A failed backup is logged
 * (with its typed problem) and retried at the next tick; the replica is never affected.
 */
@Component(service = BackupSchedule.class, configurationPid = ReplicaConfig.BACKUP_PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = BackupSchedule.Config.class)
public final class BackupSchedule {
    private static final Logger log = LoggerFactory.getLogger(BackupSchedule.class);

    @ObjectClassDefinition(id = ReplicaConfig.BACKUP_PID, name = "Chubby replica: scheduled backups",
            description = "Online backups of this replica's store on a schedule; nothing happens without a target directory")
    public @interface Config {
        @AttributeDefinition(name = "Target directory", description = "Directory the backups go into (created when missing); blank: no backups")
        String backup_target_dir() default "";

        @AttributeDefinition(name = "Interval (minutes)", description = "Time between two backups; the first one is one interval after start", min = "1")
        int backup_interval_minutes() default 60;

        @AttributeDefinition(name = "Keep", description = "How many backups to keep in the target (older ones are deleted)", min = "1")
        int backup_keep() default 7;
    }

    private final ScheduledExecutorService timer;

    @Activate
    public BackupSchedule(Config config, @Reference(name = "store", target = BdbStore.COMPONENT_FILTER) StateStore store,
                          @Reference(name = "identity") ReplicaIdentity identity) {
        this(config, (BdbStore) store, identity, Clock.systemUTC(), TimeUnit.MINUTES);
    }

    /** Tests pass a shorter {@code unit} for the interval. */
    BackupSchedule(Config config, BdbStore store, ReplicaIdentity identity, Clock clock, TimeUnit unit) {
        String target = config.backup_target_dir().strip();
        if (target.isEmpty()) {
            this.timer = null;
            log.debug("no {} in {}: no scheduled backups", "backup.target.dir", ReplicaConfig.BACKUP_PID);
            return;
        }
        if (config.backup_interval_minutes() < 1 || config.backup_keep() < 1) {
            throw new IllegalArgumentException("backup.interval.minutes and backup.keep must be >= 1, were "
                    + config.backup_interval_minutes() + " and " + config.backup_keep());
        }
        Path dir = Path.of(target);
        int keep = config.backup_keep();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chubby-backup-schedule");
            t.setDaemon(true);
            return t;
        });
        long every = config.backup_interval_minutes();
        timer.scheduleWithFixedDelay(() -> once(store, identity, dir, keep, clock), every, every, unit);
        log.info("scheduled backups into {} every {} {} keeping {}", dir, every, unit.toString().toLowerCase(), keep);
    }

    private static void once(BdbStore store, ReplicaIdentity identity, Path dir, int keep, Clock clock) {
        try {
            store.backup(dir, identity.cellName(), identity.replicaId(), clock);
            List<String> deleted = BackupPruner.prune(dir, keep);
            if (!deleted.isEmpty()) {
                log.info("deleted old backups {} in {} (keeping {})", deleted, dir, keep);
            }
        } catch (RuntimeException e) {
            log.warn("scheduled backup into {} failed: {}", dir, e.getMessage());
        }
    }

    /** Whether a schedule runs (a target directory is configured). */
    boolean active() {
        return timer != null;
    }

    @Deactivate
    void stop() throws InterruptedException {
        if (timer != null) {
            timer.shutdownNow();
            timer.awaitTermination(30, TimeUnit.SECONDS);
        }
    }
}
