package io.chubby.console.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * HTML text helpers of the pages: every value a page prints goes through {@link #esc} (node names,
 * client names and principals are user data), every path put in a link through {@link #pathLink}.
 * Pure.
 */
final class Html {
    private Html() {
    }

    /** The text with {@code & < > " '} escaped, safe in element content and quoted attributes; null reads as "". */
    static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A link to the namespace browser at a cell-relative path, showing {@code label}. */
    static String pathLink(String label, String path) {
        return "<a href=\"" + NamespacePage.LABEL + "?path=" + esc(URLEncoder.encode(path, StandardCharsets.UTF_8))
                + "\">" + esc(label) + "</a>";
    }

    /** A master-clock time in milliseconds since the epoch, ISO-8601 UTC; 0 reads as "-". */
    static String time(long millis) {
        return millis == 0 ? "-" : Instant.ofEpochMilli(millis).toString();
    }

    /** A table header row. */
    static String headRow(String... names) {
        StringBuilder b = new StringBuilder("<tr>");
        for (String n : names) {
            b.append("<th>").append(esc(n)).append("</th>");
        }
        return b.append("</tr>").toString();
    }

    /** A table cell of plain text (escaped). */
    static String td(Object text) {
        return "<td>" + esc(String.valueOf(text)) + "</td>";
    }

    /** A table cell of markup the caller built from escaped parts. */
    static String tdRaw(String html) {
        return "<td>" + html + "</td>";
    }

    /** The opening of a page body: a heading and the console's table class. */
    static String heading(String title) {
        return "<h2 class=\"chubby\">" + esc(title) + "</h2>\n";
    }

    static final String TABLE = "<table class=\"nicetable chubby\">";
}
