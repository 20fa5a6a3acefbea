package io.chubby.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.console.internal.Agreement.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checksum agreement: equal at one index agree, two checksums at one index differ, else unknown. */
class AgreementTest {
    private static ReplicaRow at(int id, long index, long checksum) {
        return new ReplicaRow(id, "h:" + id, "replica", 1, 1, index, index, checksum, false, "");
    }

    @Test
    void theSameIndexAndChecksumAgree() {
        assertEquals(Verdict.AGREE, Agreement.of(List.of(at(1, 9, 5), at(2, 9, 5), at(3, 9, 5))).verdict());
    }

    @Test
    void twoChecksumsAtOneIndexDifferEvenWhenAnotherReplicaIsElsewhere() {
        Agreement a = Agreement.of(List.of(at(1, 9, 5), at(2, 9, 6), at(3, 12, 1)));
        assertEquals(Verdict.DIFFER, a.verdict());
        assertEquals("checksums differ at applied index 9: 1=0000000000000005, 2=0000000000000006", a.text());
    }

    @Test
    void differentIndexesCannotBeCompared() {
        Agreement a = Agreement.of(List.of(at(1, 9, 5), at(2, 10, 6)));
        assertEquals(Verdict.UNKNOWN, a.verdict());
        assertEquals("not comparable now: replica 1 at applied index 9, checksum 0000000000000005; replica 2 at "
                + "applied index 10, checksum 0000000000000006", a.text());
    }

    @Test
    void followersOneCommitBehindTheMasterAgreeAmongThemselves() {
        Agreement a = Agreement.of(List.of(at(1, 10, 6), at(2, 9, 5), at(3, 9, 5)));
        assertEquals(Verdict.AGREE, a.verdict());
        assertEquals("agree: replicas 2, 3 at applied index 9, checksum 0000000000000005; replica 1 at applied "
                + "index 10, checksum 0000000000000006", a.text());
    }

    @Test
    void downReplicasAreLeftOutAndNoneUpIsUnknown() {
        assertEquals(Verdict.UNKNOWN, Agreement.of(List.of(at(1, 9, 5), ReplicaRow.down(2, "h:2", "x"))).verdict());
        assertEquals("no replica answered", Agreement.of(List.of(ReplicaRow.down(2, "h:2", "x"))).text());
    }
}
