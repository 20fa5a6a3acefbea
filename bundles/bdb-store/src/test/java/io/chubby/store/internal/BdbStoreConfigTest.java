package io.chubby.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.spi.Member;
import io.chubby.spi.ReplicaIdentity;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DS activation path: PID {@code io.chubby.store} (store.* keys, defaults when unconfigured)
 * plus the data directory of the replica identity.
 */
class BdbStoreConfigTest {
    @TempDir
    Path dir;

    /** What SCR builds from Config Admin: given keys (by method name), annotation defaults otherwise. */
    private static BdbStore.Config config(Map<String, Object> values) {
        return (BdbStore.Config) Proxy.newProxyInstance(BdbStore.Config.class.getClassLoader(),
                new Class<?>[] {BdbStore.Config.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return BdbStore.Config.class;
                    }
                    Object v = values.get(method.getName());
                    return v != null ? v : method.getDefaultValue();
                });
    }

    private record Identity(String dataDir) implements ReplicaIdentity {
        @Override
        public String cellName() {
            return "local";
        }

        @Override
        public int replicaId() {
            return 1;
        }

        @Override
        public List<Member> members() {
            return List.of(new Member(1, "127.0.0.1", 7001, 7101));
        }
    }

    @Test
    void activationOpensTheEnvironmentUnderTheIdentitysDataDir() {
        BdbStore s = new BdbStore(config(Map.of("store_cache_mb", 8)), new Identity(dir.toString()));
        try {
            s.commit(3, 4, List.of());
            assertEquals(3, s.appliedIndex());
            assertEquals(true, Files.exists(dir.resolve("je").resolve("00000000.jdb")));
        } finally {
            s.close();
            s.close(); // deactivation after an explicit close is harmless
        }
    }

    @Test
    void withoutConfigurationTheDefaultsApply() {
        assertEquals(StoreSettings.defaults(), BdbStore.settings(config(Map.of())));
        assertEquals(new StoreSettings(32, 4, 100), BdbStore.settings(config(Map.of("store_cache_mb", 32,
                "store_log_file_mb", 4, "store_truncate_chunk", 100))));
    }

    @Test
    void missingDataDirIsAConfigurationError() {
        ChubbyException e = assertThrows(ChubbyException.class,
                () -> new BdbStore(config(Map.of()), new Identity(" ")));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertEquals(true, e.getMessage().contains("data.dir"));
    }

    @Test
    void nonsenseTuningIsRejectedWithTheKeyName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BdbStore(config(Map.of("store_cache_mb", 0)), new Identity(dir.toString())));
        assertEquals(true, e.getMessage().contains("store.cache.mb"));
    }
}
