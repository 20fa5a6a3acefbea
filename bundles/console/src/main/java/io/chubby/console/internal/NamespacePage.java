package io.chubby.console.internal;

import static io.chubby.console.internal.Html.esc;
import static io.chubby.console.internal.Html.td;

import io.chubby.api.DirEntry;
import io.chubby.api.Stat;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The namespace browser: one node of the applied namespace (cell-relative path), its metadata
 * and ACL names, then its children (a directory, each a link) or the start of its contents (a
 * file: shown as text when it is UTF-8, else only its size). Read-only. Pure: the node in, HTML
 * out.
 */
final class NamespacePage {
    static final String LABEL = "chubby-namespace";
    static final String TITLE = "Chubby namespace";
    /** Bytes of a file shown at most. */
    static final int PREVIEW = 4096;

    private NamespacePage() {
    }

    /**
     * @param cellName the cell (the page names full paths {@code /ls/<cell>/...})
     * @param path     the cell-relative path asked for ("/" the root)
     * @param stat     the node's metadata, null when there is no node (404)
     * @param children a directory's children in name order (ignored for a file)
     * @param contents a file's contents (null for a directory)
     */
    static Rendered render(String cellName, String path, Stat stat, List<DirEntry> children, byte[] contents) {
        StringBuilder b = new StringBuilder(Html.heading("Namespace of cell " + cellName));
        b.append("<p class=\"chubby-path\">").append(breadcrumb(cellName, path)).append("</p>\n");
        if (stat == null) {
            b.append("<p class=\"chubby-missing\">No node at ").append(esc(full(cellName, path))).append(".</p>\n");
            return new Rendered(404, b.toString());
        }
        b.append(Html.TABLE).append(Html.headRow("metadata", ""));
        row(b, "kind", (stat.directory() ? "directory" : "file") + (stat.ephemeral() ? ", ephemeral" : ""));
        row(b, "instance", stat.instance());
        row(b, "content / lock / ACL generation", stat.contentGeneration() + " / " + stat.lockGeneration() + " / "
                + stat.aclGeneration());
        row(b, "size", stat.size() + " bytes");
        row(b, "checksum", Agreement.hex(stat.checksum()));
        row(b, "read ACL", aclName(stat.readAcl()));
        row(b, "write ACL", aclName(stat.writeAcl()));
        row(b, "change-ACL ACL", aclName(stat.changeAcl()));
        row(b, "created", Html.time(stat.createdMillis()));
        row(b, "modified", Html.time(stat.modifiedMillis()));
        b.append("</table>\n");
        if (stat.directory()) {
            b.append("<h3>").append(children.size()).append(children.size() == 1 ? " child" : " children")
                    .append("</h3>\n").append(Html.TABLE).append(Html.headRow("name", "kind", "size", "modified"));
            for (DirEntry e : children) {
                String child = (path.equals("/") ? "" : path) + "/" + e.name();
                b.append("<tr>").append(Html.tdRaw(Html.pathLink(e.name(), child)))
                        .append(td(e.stat().directory() ? "directory" : "file")).append(td(e.stat().size()))
                        .append(td(Html.time(e.stat().modifiedMillis()))).append("</tr>\n");
            }
            b.append("</table>\n");
        } else {
            b.append("<h3>Contents</h3>\n").append(preview(contents == null ? new byte[0] : contents));
        }
        return Rendered.ok(b.toString());
    }

    /** {@code /ls/<cell>} then each component of the path, each a link to that directory. */
    static String breadcrumb(String cellName, String path) {
        StringBuilder b = new StringBuilder(Html.pathLink("/ls/" + cellName, "/"));
        StringBuilder at = new StringBuilder();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                at.append('/').append(part);
                b.append(" / ").append(Html.pathLink(part, at.toString()));
            }
        }
        return b.toString();
    }

    private static String preview(byte[] contents) {
        if (contents.length == 0) {
            return "<p>(empty)</p>\n";
        }
        int n = Math.min(contents.length, PREVIEW);
        String text = utf8(contents, n);
        if (text == null) {
            return "<p>" + contents.length + " bytes, not UTF-8 text.</p>\n";
        }
        return "<pre class=\"chubby-contents\">" + esc(text) + "</pre>\n"
                + (n < contents.length ? "<p>(the first " + n + " of " + contents.length + " bytes)</p>\n" : "");
    }

    /** The first {@code n} bytes as UTF-8 text (a character cut at the end dropped), or null if not UTF-8. */
    private static String utf8(byte[] b, int n) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, 0, n == b.length ? n : lastWhole(b, n))).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Where the last whole UTF-8 character before {@code n} ends. */
    private static int lastWhole(byte[] b, int n) {
        int end = n;
        while (end > 0 && end > n - 4 && (b[end] & 0xC0) == 0x80) {
            end--;
        }
        return end;
    }

    private static String aclName(String name) {
        return name == null || name.isEmpty() ? "(none)" : name;
    }

    private static String full(String cellName, String path) {
        return "/ls/" + cellName + (path.equals("/") ? "" : path);
    }

    private static void row(StringBuilder b, String name, Object value) {
        b.append("<tr>").append(td(name)).append(td(value)).append("</tr>\n");
    }
}
