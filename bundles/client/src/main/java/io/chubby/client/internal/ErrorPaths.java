package io.chubby.client.internal;

import io.chubby.api.ChubbyException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Errors name paths as the caller wrote them. The master names a node by its absolute name with
 * the cell's real name ({@code /ls/prod/demo/hello}); a caller that wrote the alias
 * ({@code /ls/local/demo/hello}) gets its own spelling back. Only the cell part is changed, and
 * only where it is the cell's real name followed by the end of the name or a further component.
 * Stateless.
 */
final class ErrorPaths {
    private ErrorPaths() {
    }

    /**
     * {@code e} with every {@code /ls/<cellName>} in its detail written with the cell part of
     * {@code writtenPath}; {@code e} itself when there is nothing to change.
     */
    static ChubbyException asWritten(ChubbyException e, String writtenPath, String cellName) {
        String written = cellOf(writtenPath);
        if (cellName == null || cellName.isEmpty() || written == null || written.equals(cellName)) {
            return e;
        }
        String detail = e.detail();
        Matcher m = Pattern.compile(Pattern.quote("/ls/" + cellName) + "(?=/|$|[^A-Za-z0-9._-])").matcher(detail);
        if (!m.find()) {
            return e;
        }
        return new ChubbyException(e.code(), m.replaceAll(Matcher.quoteReplacement("/ls/" + written)), e);
    }

    /** The cell component of an absolute name ({@code local} of {@code /ls/local/a}), or null. */
    private static String cellOf(String path) {
        if (path == null || !path.startsWith("/ls/")) {
            return null;
        }
        int end = path.indexOf('/', 4);
        String cell = end < 0 ? path.substring(4) : path.substring(4, end);
        return cell.isEmpty() ? null : cell;
    }
}
