package io.chubby.paxos.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class ProposalFuturesTest {

    private static ErrorCode failure(CompletableFuture<byte[]> f) {
        ExecutionException e = assertThrows(ExecutionException.class, f::get);
        return ((ChubbyException) e.getCause()).code();
    }

    @Test
    void completesOwnEntryAndFailsForeignOne() throws Exception {
        ProposalFutures<String> pf = new ProposalFutures<>();
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> lost = new CompletableFuture<>();
        pf.add(1, "b1", mine);
        pf.add(2, "b1", lost);
        pf.applied(1, "b1", new byte[] {42});
        pf.applied(2, "b2", new byte[] {43});
        assertArrayEquals(new byte[] {42}, mine.get());
        assertEquals(ErrorCode.NOT_MASTER, failure(lost));
        assertEquals(0, pf.size());
    }

    @Test
    void failAllAndSnapshotSupersede() {
        ProposalFutures<String> pf = new ProposalFutures<>();
        CompletableFuture<byte[]> a = new CompletableFuture<>();
        CompletableFuture<byte[]> b = new CompletableFuture<>();
        CompletableFuture<byte[]> c = new CompletableFuture<>();
        pf.add(3, "b", a);
        pf.add(9, "b", b);
        pf.supersededThrough(5);
        assertEquals(ErrorCode.NOT_MASTER, failure(a));
        assertEquals(1, pf.size());
        pf.add(10, "b", c);
        pf.failAll("lost mastership");
        assertEquals(ErrorCode.NOT_MASTER, failure(b));
        assertEquals(ErrorCode.NOT_MASTER, failure(c));
        assertEquals(0, pf.size());
    }

    @Test
    void aRefusalNeverNamesTheRefusingReplicaAsMaster() {
        assertEquals("master is 3", ProposalFutures.masterHint(5, 3));
        assertEquals("no other master known", ProposalFutures.masterHint(5, 5));
        assertEquals("no other master known", ProposalFutures.masterHint(5, 0));
    }
}
