package io.chubby.api;

/**
 * The one exception type of the Chubby API: a typed {@link ErrorCode} plus a message naming the
 * cause (the path, the handle, the limit). Thrown by synchronous calls; asynchronous calls
 * complete their future exceptionally with it.
 */
public class ChubbyException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public ChubbyException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ChubbyException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    @Override
    public String getMessage() {
        return code.name() + ": " + super.getMessage();
    }

    /** The message without the code prefix. */
    public String detail() {
        return super.getMessage();
    }

    public static ChubbyException of(ErrorCode code, String fmt, Object... args) {
        return new ChubbyException(code, args.length == 0 ? fmt : String.format(fmt, args));
    }
}
