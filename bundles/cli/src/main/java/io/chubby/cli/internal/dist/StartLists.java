package io.chubby.cli.internal.dist;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the Felix launcher's {@code felix.auto.start.N} / {@code felix.auto.install.N} lists of
 * a {@code conf/config.properties} so they name only the {@code ${chubby.home}/...} jars an
 * assembled distribution has: Felix would log an error for every listed file that is missing.
 * Everything else in the file (comments, other keys, the system packages) is kept as written.
 */
public final class StartLists {
    private static final Pattern KEY = Pattern.compile("^(felix\\.auto\\.(?:start|install)\\.\\d+)\\s*[=:]\\s*(.*)$");
    private static final String HOME_PREFIX = "file:${chubby.home}/";

    private StartLists() {
    }

    /**
     * @param text    the source distribution's {@code conf/config.properties}
     * @param present paths relative to the distribution root that the new one has ({@code system/x.jar})
     */
    public static String keepOnly(String text, Set<String> present) {
        String[] lines = text.split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            Matcher m = KEY.matcher(lines[i]);
            if (!m.matches()) {
                out.append(lines[i]);
                if (i < lines.length - 1) {
                    out.append('\n');
                }
                continue;
            }
            StringBuilder value = new StringBuilder();
            String part = m.group(2);
            while (continues(part) && i + 1 < lines.length) {
                value.append(part, 0, part.length() - 1).append(' ');
                part = lines[++i];
            }
            value.append(part);
            List<String> kept = new ArrayList<>();
            for (String entry : value.toString().trim().split("\\s+")) {
                if (!entry.isEmpty() && (!entry.startsWith(HOME_PREFIX) || present.contains(entry.substring(HOME_PREFIX.length())))) {
                    kept.add(entry);
                }
            }
            out.append(m.group(1)).append('=');
            for (int k = 0; k < kept.size(); k++) {
                out.append(" \\\n ").append(kept.get(k));
            }
            if (i < lines.length - 1) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** A properties line continues when it ends with an odd number of backslashes. */
    private static boolean continues(String line) {
        int n = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            n++;
        }
        return n % 2 == 1;
    }
}
