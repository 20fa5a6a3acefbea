package io.chubby.console.internal;

import static io.chubby.console.internal.Html.esc;
import static io.chubby.console.internal.Html.td;

import java.util.List;

/**
 * The cell page: the master (or that none is known), one row per replica (role, master named,
 * epoch, commit and applied index, checksum) and whether the replicas' states agree
 * ({@link Agreement}). Pure: rows in, HTML out.
 */
final class CellPage {
    static final String LABEL = "chubby-cell";
    static final String TITLE = "Chubby cell";

    private CellPage() {
    }

    static Rendered render(String cellName, List<ReplicaRow> rows) {
        StringBuilder b = new StringBuilder(Html.heading("Cell " + cellName));
        ReplicaRow master = rows.stream().filter(r -> "master".equals(r.role())).findFirst().orElse(null);
        b.append("<p class=\"chubby-master\">");
        if (master == null) {
            b.append("No master known: no replica that answered is master.");
        } else {
            b.append("Master: <b>replica ").append(master.id()).append("</b> (").append(esc(master.address()))
                    .append("), epoch ").append(master.epoch()).append('.');
        }
        b.append("</p>\n");
        Agreement a = Agreement.of(rows);
        b.append("<p class=\"chubby-agreement chubby-").append(a.verdict().name().toLowerCase(java.util.Locale.ROOT))
                .append("\">Checksums: ").append(esc(a.text())).append("</p>\n");
        b.append(Html.TABLE).append(Html.headRow("replica", "address", "role", "master", "epoch", "commit index",
                "applied index", "checksum", ""));
        for (ReplicaRow r : rows) {
            b.append("<tr>").append(td(r.id())).append(td(r.address())).append(td(r.role()));
            if (r.up()) {
                b.append(td(r.masterId() == 0 ? "none" : Integer.toString(r.masterId()))).append(td(r.epoch()))
                        .append(td(r.commitIndex())).append(td(r.appliedIndex()))
                        .append(td(Agreement.hex(r.checksum())));
            } else {
                b.append("<td colspan=\"5\">").append(esc(r.problem())).append("</td>");
            }
            b.append(td(r.self() ? "this replica" : "")).append("</tr>\n");
        }
        return Rendered.ok(b.append("</table>\n").toString());
    }
}
