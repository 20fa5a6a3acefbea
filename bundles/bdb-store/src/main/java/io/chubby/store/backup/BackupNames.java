package io.chubby.store.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of backup directories in a target: {@code backup-<UTC yyyyMMdd'T'HHmmss.SSS'Z'>-r<replica>},
 * so they sort by time; a backup being written is {@code .<name>.tmp} until it is complete.
 */
public final class BackupNames {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern NAME = Pattern.compile("backup-(\\d{8}T\\d{6}\\.\\d{3}Z)-r(\\d+)");

    private BackupNames() {
    }

    public static String name(Instant takenAt, int replicaId) {
        return "backup-" + TIME.format(takenAt) + "-r" + replicaId;
    }

    static String temporary(String name) {
        return "." + name + ".tmp";
    }

    /** Whether {@code fileName} is a complete backup's name. */
    public static boolean isBackup(String fileName) {
        return NAME.matcher(fileName).matches();
    }

    /** The time in a backup's name. */
    static Optional<Instant> takenAt(String fileName) {
        Matcher m = NAME.matcher(fileName);
        return m.matches() ? Optional.of(Instant.from(TIME.parse(m.group(1)))) : Optional.empty();
    }
}
