package io.chubby.cell.internal.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.state.Command;
import io.chubby.protocol.Error;
import io.chubby.protocol.Response;
import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusListener;
import io.chubby.spi.ConsensusStatus;
import io.chubby.spi.Member;
import io.chubby.spi.StateMachine;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * How a proposal's failure is answered: NOT_MASTER only when nothing was proposed; once proposed,
 * a failure is OUTCOME_UNKNOWN (never CELL_UNAVAILABLE, which tells clients to retry freely).
 */
class ProposerTest {
    private static final Command COMMAND = new Command.CloseHandle(1, 2);

    /** The answer the client gets when {@code consensus} proposes as given. */
    private static Response answer(Supplier<CompletableFuture<byte[]>> propose) {
        Proposer p = new Proposer(new ProposingConsensus(propose), callId -> Response.newBuilder().setCallId(callId)
                .setError(Error.newBuilder().setCode(ErrorCode.NOT_MASTER.wire()).setMessage("not master")).build());
        Throwable failure = p.propose(COMMAND).handle((r, e) -> e).join();
        return p.failure(42, Proposer.unwrap(failure));
    }

    @Test
    void refusedBeforeProposingIsNotMaster() {
        Response r = answer(() -> {
            throw new ChubbyException(ErrorCode.NOT_MASTER, "replica 2 is not master");
        });
        assertEquals(ErrorCode.NOT_MASTER.wire(), r.getError().getCode());
        assertEquals(42, r.getCallId());
    }

    @Test
    void mastershipLostAfterProposingIsOutcomeUnknown() {
        Response r = answer(() -> CompletableFuture.failedFuture(new ChubbyException(ErrorCode.NOT_MASTER,
                "another master's entry was chosen at index 7")));
        assertEquals(ErrorCode.OUTCOME_UNKNOWN.wire(), r.getError().getCode());
        assertEquals("outcome unknown: the master lost mastership before the command was known to commit "
                + "(NOT_MASTER: another master's entry was chosen at index 7); check the state before retrying",
                r.getError().getMessage());
    }

    @Test
    void anUnexpectedFailureAfterProposingIsOutcomeUnknownToo() {
        Response r = answer(() -> CompletableFuture.failedFuture(new IllegalStateException("replica loop stopped")));
        assertEquals(ErrorCode.OUTCOME_UNKNOWN.wire(), r.getError().getCode());
        assertTrue(r.getError().getMessage().contains("replica loop stopped"), r.getError().getMessage());
    }

    @Test
    void aTypedRefusalOtherThanNotMasterIsPassedOn() {
        Response r = answer(() -> CompletableFuture.failedFuture(new ChubbyException(ErrorCode.TOO_LARGE, "too big")));
        assertEquals(ErrorCode.TOO_LARGE.wire(), r.getError().getCode());
        assertEquals("too big", r.getError().getMessage());
    }

    /** A consensus whose only working call is {@code propose}. */
    private record ProposingConsensus(Supplier<CompletableFuture<byte[]>> proposal) implements Consensus {
        @Override
        public CompletableFuture<byte[]> propose(byte[] command) {
            return proposal.get();
        }

        @Override
        public void register(StateMachine machine) {
        }

        @Override
        public void unregister(StateMachine machine) {
        }

        @Override
        public boolean isMaster() {
            return true;
        }

        @Override
        public long epoch() {
            return 1;
        }

        @Override
        public int masterId() {
            return 1;
        }

        @Override
        public Member self() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Member> members() {
            return List.of();
        }

        @Override
        public ConsensusStatus status() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void addListener(ConsensusListener listener) {
        }

        @Override
        public void removeListener(ConsensusListener listener) {
        }
    }
}
