package io.chubby.store.backup;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;

/** A backup, verification or restore that failed, with what went wrong as a {@link Problem}. */
public final class BackupException extends ChubbyException {
    private static final long serialVersionUID = 1L;

    /** What went wrong; each maps to the nearest Chubby {@link ErrorCode}. */
    public enum Problem {
        /** The target exists and is not a directory. */
        TARGET_NOT_A_DIRECTORY(ErrorCode.NOT_A_DIRECTORY),
        /** The target (or a directory to create in it) cannot be written: read-only, no permission. */
        TARGET_NOT_WRITABLE(ErrorCode.PERMISSION_DENIED),
        /** The target's file system is full. */
        TARGET_FULL(ErrorCode.INTERNAL),
        /** Restore: the data directory exists and is not empty. */
        DATA_DIR_NOT_EMPTY(ErrorCode.NOT_EMPTY),
        /** Verify/restore: the backup is missing, incomplete or does not match its manifest. */
        CORRUPT(ErrorCode.INVALID_ARGUMENT),
        /** Any other I/O or JE failure. */
        IO(ErrorCode.INTERNAL);

        private final ErrorCode code;

        Problem(ErrorCode code) {
            this.code = code;
        }
    }

    private final Problem problem;

    public BackupException(Problem problem, String message, Throwable cause) {
        super(problem.code, problem + ": " + message, cause);
        this.problem = problem;
    }

    public BackupException(Problem problem, String message) {
        this(problem, message, null);
    }

    public Problem problem() {
        return problem;
    }
}
