package io.chubby.store.internal;

import com.sleepycat.je.DatabaseConfig;
import com.sleepycat.je.DatabaseException;
import com.sleepycat.je.Durability;
import com.sleepycat.je.Environment;
import com.sleepycat.je.EnvironmentConfig;
import com.sleepycat.je.EnvironmentLockedException;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.LogBatch;
import io.chubby.spi.LogStore;
import io.chubby.spi.LogStores;
import io.chubby.spi.MetricSource.Metric;
import io.chubby.spi.ReplicaConfig;
import io.chubby.spi.ReplicaIdentity;
import io.chubby.spi.StateStore;
import io.chubby.spi.StateStores;
import io.chubby.store.backup.OnlineBackup;
import io.chubby.store.backup.RestoreMarker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
 * A replica's storage: one transactional JE environment under {@code <data.dir>/je} holding the
 * Paxos log ({@link BdbLogStore}) and the replicated state ({@link BdbStateStore}), registered as
 * both services. In OSGi it is a DS component tuned by PID {@value ReplicaConfig#STORE_PID} (every
 * key has a default) that takes its data directory from the {@link ReplicaIdentity}, so it stays
 * inactive until the replica is configured; elsewhere (tests, simulator, benchmarks)
 * {@link #open(Path)} and {@link #close()}.
 *
 * <p>Every Paxos group of the replica is in the same environment: {@link #logStores()} and
 * {@link #stateStores()} give each group's view (group 0 is this object's {@link LogStore} and
 * {@link StateStore}). One object cannot be both a {@link LogStores} and a {@link StateStores}
 * (their {@code group} methods differ in return type), so those two services are the components
 * {@link LogStoresComponent} and {@link StateStoresComponent}, each a view of this one. (Registering
 * them from this component's activation made SCR activate their consumers while this object was
 * still being created; a consumer that also needed this store, such as the cell through consensus,
 * then got null and failed: ServerBundlesIT.)
 *
 * <p>Thread-safe: each store serializes its own writers; reads go straight to JE.
 */
@Component(service = {LogStore.class, StateStore.class}, configurationPid = ReplicaConfig.STORE_PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = BdbStore.Config.class)
public final class BdbStore implements LogStore, StateStore, AutoCloseable {
    /** Selects this component's services (the views {@link LogStoresComponent}, {@link StateStoresComponent} cast them). */
    static final String COMPONENT_FILTER = "(component.name=io.chubby.store.internal.BdbStore)";
    /** The environment's directory below {@code data.dir}. */
    public static final String ENV_DIR = "je";
    private static final Logger log = LoggerFactory.getLogger(BdbStore.class);

    @ObjectClassDefinition(id = ReplicaConfig.STORE_PID, name = "Chubby replica: storage",
            description = "Berkeley DB JE storage of the Paxos log and the replicated state, in <data.dir>/je "
                    + "(data.dir: the replica identity, PID io.chubby.replica)")
    public @interface Config {
        @AttributeDefinition(name = "Cache (MiB)", description = "JE cache size", min = "1")
        int store_cache_mb() default StoreSettings.DEFAULT_CACHE_MB;

        @AttributeDefinition(name = "Log file size (MiB)", description = "Size of each JE log file", min = "1", max = "1024")
        int store_log_file_mb() default StoreSettings.DEFAULT_LOG_FILE_MB;

        @AttributeDefinition(name = "Truncate chunk", description = "Log entries removed per transaction when compacting", min = "1")
        int store_truncate_chunk() default StoreSettings.DEFAULT_TRUNCATE_CHUNK;
    }

    private final Path envDir;
    private final Environment env;
    private final BdbLogStore logStore;
    private final BdbStateStore stateStore;
    private final BdbLogStores logStores;
    private final BdbStateStores stateStores;
    /** The log's fsyncs and batches, for {@link StoreMetricsComponent}. */
    private final LogWriteStats writeStats = new LogWriteStats();
    // guarded by this
    private boolean closed;

    /** The DS activation (and tests): opens the store in the identity's data directory. */
    @Activate
    public BdbStore(Config config, @Reference(name = "identity") ReplicaIdentity identity) {
        this(dataDir(identity), settings(config));
    }

    static StoreSettings settings(Config config) {
        return new StoreSettings(config.store_cache_mb(), config.store_log_file_mb(), config.store_truncate_chunk());
    }

    /** The restore marker's line, if this data directory was restored from a backup. */
    private final java.util.Optional<String> restoredFrom;

    private BdbStore(Path dataDir, StoreSettings settings) {
        this.envDir = dataDir.resolve(ENV_DIR);
        this.restoredFrom = RestoreMarker.read(dataDir);
        restoredFrom.ifPresent(line -> log.info("{} ({})", line, dataDir.resolve(RestoreMarker.FILE_NAME)));
        try {
            Files.createDirectories(envDir);
        } catch (IOException e) {
            throw new ChubbyException(ErrorCode.INTERNAL, "cannot create store directory " + envDir + ": " + e, e);
        }
        this.env = openEnvironment(envDir, settings);
        DatabaseConfig db = new DatabaseConfig();
        db.setAllowCreate(true);
        db.setTransactional(true);
        BdbLogStore logs = null;
        try {
            logs = new BdbLogStore(env, db, settings.truncateChunk(), 0, writeStats);
            this.stateStore = new BdbStateStore(env, db, GroupNames.prefix(0));
        } catch (DatabaseException e) {
            if (logs != null) {
                logs.close();
            }
            env.close();
            throw Txns.failure("open " + envDir, e);
        }
        this.logStore = logs;
        this.logStores = new BdbLogStores(env, db, settings.truncateChunk(), logs, writeStats);
        this.stateStores = new BdbStateStores(env, db, stateStore);
        log.info("store opened dir={} cacheMb={} logFileMb={} logFirst={} logLast={} applied={}", envDir,
                settings.cacheMb(), settings.logFileMb(), logStore.firstIndex(), logStore.lastIndex(),
                stateStore.appliedIndex());
    }

    /** Opens (creating if needed) the store of the replica whose data directory is {@code dataDir}. */
    public static BdbStore open(Path dataDir) {
        return open(dataDir, StoreSettings.defaults());
    }

    public static BdbStore open(Path dataDir, StoreSettings settings) {
        return new BdbStore(dataDir, settings);
    }

    private static Path dataDir(ReplicaIdentity identity) {
        String dir = identity.dataDir();
        if (dir == null || dir.isBlank()) {
            throw new ChubbyException(ErrorCode.INVALID_ARGUMENT,
                    "configuration " + ReplicaConfig.PID + " has no " + ReplicaConfig.DATA_DIR);
        }
        return Path.of(dir);
    }

    private static Environment openEnvironment(Path dir, StoreSettings s) {
        EnvironmentConfig c = new EnvironmentConfig();
        c.setAllowCreate(true);
        c.setTransactional(true);
        c.setCacheSize(s.cacheMb() * 1024L * 1024L);
        c.setConfigParam(EnvironmentConfig.LOG_FILE_MAX, Long.toString(s.logFileMb() * 1024L * 1024L));
        // Auto-commit operations (database creation) need no fsync; durable writes say so per transaction.
        c.setDurability(Durability.COMMIT_NO_SYNC);
        try {
            return new Environment(dir.toFile(), c);
        } catch (EnvironmentLockedException e) {
            throw new ChubbyException(ErrorCode.INTERNAL,
                    "store " + dir + " is in use by another process (stop it, or use another data.dir)", e);
        } catch (DatabaseException e) {
            throw Txns.failure("open " + dir, e);
        }
    }

    /** The environment directory, {@code <data.dir>/je}. */
    public Path directory() {
        return envDir;
    }

    /**
     * An online backup of this environment into a new directory in {@code target} (created when
     * missing), while the store goes on serving: see {@link OnlineBackup}.
     *
     * @throws io.chubby.store.backup.BackupException for a bad target; the store is unaffected
     */
    public OnlineBackup.Result backup(Path target, String cell, int replicaId, Clock clock) {
        synchronized (this) {
            if (closed) {
                throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "store " + envDir + " is closed");
            }
        }
        return OnlineBackup.take(env, envDir, target, cell, replicaId, clock);
    }

    /** fsyncs JE has issued on its log since the environment opened (tests and benchmarks). */
    public long fsyncCount() {
        return env.getStats(null).getNLogFSyncs();
    }

    public LogStore logStore() {
        return logStore;
    }

    public StateStore stateStore() {
        return stateStore;
    }

    /** Every group's log; group 0 is {@link #logStore()}. */
    /** The store's series now (fsyncs, batches, JE figures); none once closed. */
    List<Metric> metrics() {
        synchronized (this) {
            if (closed) {
                return List.of();
            }
        }
        List<Metric> out = new ArrayList<>(writeStats.metrics());
        out.addAll(JeNumbers.read(env).metrics());
        return out;
    }

    public LogStores logStores() {
        return logStores;
    }

    /** Every group's state; group 0 is {@link #stateStore()}. */
    public StateStores stateStores() {
        return stateStores;
    }

    /** Closes the databases and the environment (checkpointing it); idempotent. */
    @Deactivate
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            logStores.closeOtherGroups();
            stateStores.closeOtherGroups();
            logStore.close();
            stateStore.close();
        } finally {
            env.close();
        }
        log.info("store closed dir={}", envDir);
    }

    // LogStore, delegated

    @Override
    public byte[] meta(String key) {
        return logStore.meta(key);
    }

    @Override
    public byte[] entry(long index) {
        return logStore.entry(index);
    }

    @Override
    public long firstIndex() {
        return logStore.firstIndex();
    }

    @Override
    public long lastIndex() {
        return logStore.lastIndex();
    }

    @Override
    public void scan(long fromIndex, long toIndex, EntryVisitor visitor) {
        logStore.scan(fromIndex, toIndex, visitor);
    }

    @Override
    public void write(LogBatch batch) {
        logStore.write(batch);
    }

    @Override
    public void truncateBefore(long index) {
        logStore.truncateBefore(index);
    }

    // StateStore, delegated

    @Override
    public java.util.Optional<String> restoredFrom() {
        return restoredFrom;
    }

    @Override
    public long appliedIndex() {
        return stateStore.appliedIndex();
    }

    @Override
    public long checksum() {
        return stateStore.checksum();
    }

    @Override
    public byte[] get(String table, byte[] key) {
        return stateStore.get(table, key);
    }

    @Override
    public void scan(String table, byte[] fromInclusive, byte[] toExclusive, RecordVisitor visitor) {
        stateStore.scan(table, fromInclusive, toExclusive, visitor);
    }

    @Override
    public List<String> tables() {
        return stateStore.tables();
    }

    @Override
    public void commit(long appliedIndex, long checksum, List<Mutation> mutations) {
        stateStore.commit(appliedIndex, checksum, mutations);
    }

    @Override
    public void replaceAll(long appliedIndex, long checksum, Iterator<Record> records) {
        stateStore.replaceAll(appliedIndex, checksum, records);
    }

    @Override
    public void sync() {
        stateStore.sync();
    }
}
