package io.chubby.store.backup;

import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseConfig;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.DatabaseException;
import com.sleepycat.je.Environment;
import com.sleepycat.je.EnvironmentConfig;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.OperationStatus;
import io.chubby.store.backup.BackupException.Problem;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a {@link StateSummary} from a copy of a JE environment, opened read-only (JE runs its
 * recovery in memory and writes nothing): every {@code [g<G>.]state.meta}'s applied index and
 * checksum, and group 0's promised ballot. The names are bdb-store's ({@code BdbStateStore},
 * {@code BdbLogStore}, {@code GroupNames}).
 */
public final class StateReader {
    static final String STATE_META = "state.meta";
    static final String LOG_META = "log.meta";
    private static final byte[] APPLIED_KEY = "applied".getBytes(StandardCharsets.UTF_8);
    /** Files a read-only open may leave behind; never part of a backup. */
    private static final String LOCK_FILE = "je.lck";

    private StateReader() {
    }

    /** @throws BackupException {@code CORRUPT} when JE cannot open or read it */
    public static StateSummary read(Path envDir) {
        boolean hadLock = Files.exists(envDir.resolve(LOCK_FILE));
        EnvironmentConfig c = new EnvironmentConfig();
        c.setReadOnly(true);
        c.setAllowCreate(false);
        c.setTransactional(true);
        c.setConfigParam(EnvironmentConfig.FILE_LOGGING_LEVEL, "OFF");
        c.setConfigParam(EnvironmentConfig.STATS_COLLECT, "false");
        c.setCacheSize(16L * 1024 * 1024);
        Environment env = null;
        try {
            env = new Environment(envDir.toFile(), c);
            Map<Integer, GroupState> groups = new TreeMap<>();
            long epoch = 0;
            for (String name : env.getDatabaseNames()) {
                if (name.endsWith(STATE_META)) {
                    byte[] applied = get(env, name, APPLIED_KEY);
                    if (applied != null) {
                        ByteBuffer b = ByteBuffer.wrap(applied);
                        groups.put(group(name, STATE_META), new GroupState(b.getLong(), b.getLong()));
                    }
                } else if (name.equals(LOG_META)) {
                    epoch = PromisedEpoch.of(get(env, name, PromisedEpoch.PROMISED_KEY.getBytes(StandardCharsets.UTF_8)));
                }
            }
            return new StateSummary(epoch, groups);
        } catch (DatabaseException | IllegalArgumentException e) {
            throw new BackupException(Problem.CORRUPT, "cannot read the JE environment " + envDir + ": " + e.getMessage(), e);
        } finally {
            if (env != null) {
                env.close();
            }
            if (!hadLock) {
                DurableFiles.deleteQuietly(envDir.resolve(LOCK_FILE));
            }
        }
    }

    /** 0 for {@code state.meta}, G for {@code g<G>.state.meta}. */
    static int group(String dbName, String suffix) {
        String prefix = dbName.substring(0, dbName.length() - suffix.length());
        if (prefix.isEmpty()) {
            return 0;
        }
        if (!prefix.startsWith("g") || !prefix.endsWith(".")) {
            throw new IllegalArgumentException("unexpected database " + dbName);
        }
        return Integer.parseInt(prefix.substring(1, prefix.length() - 1));
    }

    private static byte[] get(Environment env, String dbName, byte[] key) {
        DatabaseConfig dc = new DatabaseConfig();
        dc.setReadOnly(true);
        dc.setTransactional(true);
        try (Database db = env.openDatabase(null, dbName, dc)) {
            DatabaseEntry data = new DatabaseEntry();
            return db.get(null, new DatabaseEntry(key), data, LockMode.READ_COMMITTED) == OperationStatus.SUCCESS
                    ? Arrays.copyOfRange(data.getData(), data.getOffset(), data.getOffset() + data.getSize()) : null;
        }
    }
}
