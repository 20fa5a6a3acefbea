package io.chubby.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.DirEntry;
import io.chubby.api.Stat;
import io.chubby.spi.SessionView.Lock;
import io.chubby.spi.SessionView.Party;
import io.chubby.spi.SessionView.Session;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each page from its model: what it names, and that user data never reaches the HTML unescaped. */
class PagesTest {
    private static final String EVIL = "<script>alert(1)</script>";

    private static Stat stat(boolean dir, long size, String readAcl) {
        return new Stat(4, 2, 1, 0, 0xabcL, size, dir, false, readAcl, "", "", 1_000, 2_000);
    }

    @Test
    void cellPageNamesTheMasterEveryReplicaAndAgreement() {
        List<ReplicaRow> rows = List.of(
                new ReplicaRow(1, "127.0.0.1:7001", "replica", 2, 5, 40, 40, 0xfeedL, true, ""),
                new ReplicaRow(2, "127.0.0.1:7002", "master", 2, 5, 40, 40, 0xfeedL, false, ""),
                ReplicaRow.down(3, "127.0.0.1:7003", "no Status answer within 1000 ms: " + EVIL));
        String html = CellPage.render("local", rows).html();
        assertTrue(html.contains("Master: <b>replica 2</b> (127.0.0.1:7002), epoch 5."), html);
        assertTrue(html.contains("agree: replicas 1, 2 at applied index 40, checksum 000000000000feed"), html);
        assertTrue(html.contains("<td>this replica</td>"), html);
        assertTrue(html.contains("<td>down</td>"), html);
        assertFalse(html.contains("<script>"), html);
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
    }

    @Test
    void cellPageWithoutAMasterSaysSo() {
        String html = CellPage.render("local", List.of(
                new ReplicaRow(1, "a:1", "candidate", 0, 0, 3, 3, 1, true, ""))).html();
        assertTrue(html.contains("No master known"), html);
        assertTrue(html.contains("<td>none</td>"), html);
    }

    @Test
    void namespaceDirectoryListsChildrenAsEscapedLinks() {
        Rendered r = NamespacePage.render("local", "/d", stat(true, 0, "admins"),
                List.of(new DirEntry(EVIL, stat(false, 3, "")), new DirEntry("f", stat(false, 5, ""))), null);
        assertEquals(200, r.status());
        String html = r.html();
        assertFalse(html.contains("<script>"), html);
        assertTrue(html.contains(">&lt;script&gt;alert(1)&lt;/script&gt;</a>"), html);
        assertTrue(html.contains("href=\"chubby-namespace?path=%2Fd%2F%3Cscript%3Ealert%281%29%3C%2Fscript%3E\""),
                html);
        assertTrue(html.contains("2 children"), html);
        assertTrue(html.contains("<td>read ACL</td><td>admins</td>"), html);
        assertTrue(html.contains("<td>directory</td>"), html);
    }

    @Test
    void namespaceFileShowsItsTextEscapedOrItsSize() {
        String text = NamespacePage.render("local", "/f", stat(false, 20, ""), List.of(),
                ("a & " + EVIL).getBytes(StandardCharsets.UTF_8)).html();
        assertTrue(text.contains("<pre class=\"chubby-contents\">a &amp; &lt;script&gt;"), text);
        assertTrue(text.contains("<td>read ACL</td><td>(none)</td>"), text);
        String binary = NamespacePage.render("local", "/f", stat(false, 2, ""), List.of(),
                new byte[] {(byte) 0xff, (byte) 0xfe}).html();
        assertTrue(binary.contains("2 bytes, not UTF-8 text."), binary);
    }

    @Test
    void namespaceMissingNodeIs404AndTheBreadcrumbLinksEachDirectory() {
        Rendered r = NamespacePage.render("local", "/a/" + EVIL, null, List.of(), null);
        assertEquals(404, r.status());
        assertFalse(r.html().contains("<script>"), r.html());
        assertTrue(r.html().contains("No node at /ls/local/a/&lt;script&gt;"), r.html());
        assertTrue(r.html().contains("<a href=\"chubby-namespace?path=%2Fa\">a</a>"), r.html());
        assertTrue(r.html().contains("<a href=\"chubby-namespace?path=%2F\">/ls/local</a>"), r.html());
    }

    @Test
    void locksPageShowsHoldersWaitersAndTheDelayLeft() {
        Map<Long, Session> sessions = Map.of(7L, new Session(7, EVIL, "alice", 1, 1),
                8L, new Session(8, "b", "anonymous", 1, 1));
        String html = LocksPage.render(List.of(
                new Lock("/l", List.of(new Party(7, 70, false)), List.of(new Party(8, 80, true)), 0),
                new Lock("/gone", List.of(), List.of(), 10_500)), sessions, 10_000).html();
        assertTrue(html.contains("session 7 (&lt;script&gt;alert(1)&lt;/script&gt;, alice), handle 70, exclusive"),
                html);
        assertTrue(html.contains("session 8 (b, anonymous), handle 80, shared"), html);
        assertTrue(html.contains("500 ms left"), html);
        assertFalse(html.contains("<script>"), html);
        assertTrue(LocksPage.render(List.of(), Map.of(), 0).html().contains("No lock is held"));
        assertEquals("over, the release is being applied", LocksPage.delay(5, 6));
    }

    @Test
    void sessionsPageListsEverySessionEscaped() {
        String html = SessionsPage.render(List.of(new Session(3, EVIL, "bob", 0, 2),
                new Session(4, "c", "anonymous", 86_400_000, 0))).html();
        assertTrue(html.contains("2 sessions"), html);
        assertTrue(html.contains("<td>3</td><td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>bob</td><td>-</td>"
                + "<td>2</td>"), html);
        assertTrue(html.contains("<td>1970-01-02T00:00:00Z</td>"), html);
        assertFalse(html.contains("<script>"), html);
    }

    @Test
    void escapeCoversQuotes() {
        assertEquals("&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;", Html.esc("<a href=\"x\" onclick='y'>&"));
        assertEquals("", Html.esc(null));
    }
}
