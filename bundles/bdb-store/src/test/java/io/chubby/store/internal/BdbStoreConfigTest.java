package io.chubby.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DS activation path: what Config Admin's {@code io.chubby.replica} properties turn into. */
class BdbStoreConfigTest {
    @TempDir
    Path dir;

    private static BdbStore.Config config(String dataDir, int cacheMb) {
        return new BdbStore.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return BdbStore.Config.class;
            }

            @Override
            public String data_dir() {
                return dataDir;
            }

            @Override
            public int store_cache_mb() {
                return cacheMb;
            }

            @Override
            public int store_log_file_mb() {
                return StoreSettings.DEFAULT_LOG_FILE_MB;
            }

            @Override
            public int store_truncate_chunk() {
                return StoreSettings.DEFAULT_TRUNCATE_CHUNK;
            }
        };
    }

    @Test
    void activationOpensTheEnvironmentUnderDataDir() {
        BdbStore s = new BdbStore(config(dir.toString(), 8));
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
    void missingDataDirIsAConfigurationError() {
        ChubbyException e = assertThrows(ChubbyException.class, () -> new BdbStore(config(null, 8)));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertEquals(true, e.getMessage().contains("data.dir"));
    }

    @Test
    void nonsenseTuningIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new BdbStore(config(dir.toString(), 0)));
    }
}
