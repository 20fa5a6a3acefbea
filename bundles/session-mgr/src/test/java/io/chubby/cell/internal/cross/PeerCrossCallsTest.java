package io.chubby.cell.internal.cross;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.Result;
import io.chubby.cell.internal.state.Result.DirOutcome.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The sending end of the cross-group channel on its own: where a call goes (this replica's groups,
 * the master it believes in, the hint of a NOT_MASTER), how replies are matched, and what fails.
 */
class PeerCrossCallsTest {
    private static final Command SEAL = new Command.SealDir("/d", 7, 42);
    private static final Result SEALED = new Result.DirOutcome(Outcome.SEALED, 42);

    /** A message sent: to whom, and its call. */
    private record Sent(int replica, CrossWire.Request request) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private final Map<Integer, Integer> view = new HashMap<>(Map.of(1, 2, 2, 1));
    private final List<Command> localSteps = new ArrayList<>();
    private final PeerCrossCalls calls = new PeerCrossCalls(1, (g, step) -> {
        localSteps.add(step);
        return CompletableFuture.completedFuture(new Result.Done());
    }, g -> view.getOrDefault(g, 0), (replica, bytes) -> sent.add(new Sent(replica,
            (CrossWire.Request) CrossWire.decode(bytes))), 60_000);

    @Test
    void aGroupMasteredHereIsCalledWithoutTheNetwork() {
        assertEquals(new Result.Done(), calls.call(2, SEAL).join());
        assertEquals(List.of(SEAL), localSteps);
        assertTrue(sent.isEmpty());
    }

    @Test
    void aStaleViewIsCorrectedByTheNotMasterHint() {
        CompletableFuture<Result> first = calls.call(1, SEAL);
        Sent toTwo = sent.get(0);
        assertEquals(2, toTwo.replica());
        assertEquals(1, toTwo.request().toGroup());
        calls.replied(2, CrossWire.Reply.failed(toTwo.request().callId(), 1,
                ChubbyException.of(ErrorCode.NOT_MASTER, "not the master of group 1"), 3));
        assertEquals(ErrorCode.NOT_MASTER, failure(first).code()); // the caller sends again later

        CompletableFuture<Result> second = calls.call(1, SEAL);
        Sent toThree = sent.get(1);
        assertEquals(3, toThree.replica()); // the hint, though this replica's view still says 2
        assertEquals(SEAL, CrossWire.step(toThree.request()));
        calls.replied(3, CrossWire.Reply.of(toThree.request().callId(), 1, SEALED));
        assertEquals(SEALED, second.join());
        assertEquals(0, calls.waiting());
    }

    @Test
    void aHintNamingThisReplicaSendsTheNextCallToItsOwnGroups() {
        CompletableFuture<Result> first = calls.call(1, SEAL);
        calls.replied(2, CrossWire.Reply.failed(sent.get(0).request().callId(), 1,
                ChubbyException.of(ErrorCode.NOT_MASTER, "moved"), 1));
        failure(first);
        assertEquals(new Result.Done(), calls.call(1, SEAL).join());
        assertEquals(1, sent.size());
        assertEquals(List.of(SEAL), localSteps);
    }

    @Test
    void onlyTheReplicaAskedAnswersACallAndOnlyOnce() {
        CompletableFuture<Result> f = calls.call(1, SEAL);
        long id = sent.get(0).request().callId();
        calls.replied(3, CrossWire.Reply.of(id, 1, new Result.Done())); // not the replica asked
        assertFalse(f.isDone());
        assertEquals(1, calls.waiting());
        calls.replied(2, CrossWire.Reply.of(id, 1, SEALED));
        calls.replied(2, CrossWire.Reply.of(id, 1, new Result.Done())); // duplicated: finds no call
        calls.replied(2, CrossWire.Reply.of(id + 100, 1, new Result.Done())); // no such call
        assertEquals(SEALED, f.join());
        assertEquals(0, calls.waiting());
    }

    @Test
    void noMasterKnownFailsWithoutSending() {
        assertEquals(ErrorCode.NOT_MASTER, failure(calls.call(3, SEAL)).code());
        assertTrue(sent.isEmpty());
    }

    @Test
    void aMessageThatCannotBeSentFailsTheCall() {
        PeerCrossCalls broken = new PeerCrossCalls(1, CrossCalls.NONE, g -> 2, (replica, bytes) -> {
            throw new UnsupportedOperationException("no cross-group channel");
        }, 60_000);
        assertEquals(ErrorCode.CELL_UNAVAILABLE, failure(broken.call(1, SEAL)).code());
        assertEquals(0, broken.waiting());
    }

    @Test
    void anUnansweredCallTimesOutAndForgetsTheHint() {
        calls.timeoutMillis(20);
        CompletableFuture<Result> first = calls.call(1, SEAL);
        calls.replied(2, CrossWire.Reply.failed(sent.get(0).request().callId(), 1,
                ChubbyException.of(ErrorCode.NOT_MASTER, "moved"), 3));
        failure(first);
        CompletableFuture<Result> lost = calls.call(1, SEAL); // to 3, which never answers
        assertEquals(3, sent.get(1).replica());
        CompletionException e = assertThrows(CompletionException.class, lost::join);
        assertInstanceOf(TimeoutException.class, e.getCause());
        calls.call(1, SEAL);
        assertEquals(2, sent.get(2).replica()); // back to this replica's own view
    }

    @Test
    void theTimeoutMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> calls.timeoutMillis(0));
        assertThrows(IllegalArgumentException.class, () -> new PeerCrossCalls(1, CrossCalls.NONE, g -> 0,
                (r, b) -> { }, -1));
    }

    private static ChubbyException failure(CompletableFuture<Result> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return assertInstanceOf(ChubbyException.class, e.getCause());
    }
}
