package io.chubby.cell.internal.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.state.Command;
import io.chubby.protocol.Error;
import io.chubby.protocol.Response;
import io.chubby.testkit.FakeConsensus;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * How a proposal's failure is answered: NOT_MASTER only when nothing was proposed; once proposed,
 * a failure is OUTCOME_UNKNOWN (never CELL_UNAVAILABLE, which tells clients to retry freely).
 */
class ProposerTest {
    private static final Command COMMAND = new Command.CloseHandle(1, 2);

    /** The answer the client gets when the testkit's consensus was scripted by {@code script}. */
    private static Response answer(Consumer<FakeConsensus> script) {
        FakeConsensus consensus = new FakeConsensus();
        script.accept(consensus);
        Proposer p = new Proposer(consensus, callId -> Response.newBuilder().setCallId(callId)
                .setError(Error.newBuilder().setCode(ErrorCode.NOT_MASTER.wire()).setMessage("not master")).build());
        Throwable failure = p.propose(COMMAND).handle((r, e) -> e).join();
        return p.failure(42, Proposer.unwrap(failure));
    }

    @Test
    void refusedBeforeProposingIsNotMaster() {
        Response r = answer(c -> c.refuseNextProposal(new ChubbyException(ErrorCode.NOT_MASTER,
                "replica 2 is not master")));
        assertEquals(ErrorCode.NOT_MASTER.wire(), r.getError().getCode());
        assertEquals(42, r.getCallId());
    }

    @Test
    void mastershipLostAfterProposingIsOutcomeUnknown() {
        Response r = answer(c -> c.failNextProposal(new ChubbyException(ErrorCode.NOT_MASTER,
                "another master's entry was chosen at index 7")));
        assertEquals(ErrorCode.OUTCOME_UNKNOWN.wire(), r.getError().getCode());
        assertEquals("outcome unknown: the master lost mastership before the command was known to commit "
                + "(NOT_MASTER: another master's entry was chosen at index 7); check the state before retrying",
                r.getError().getMessage());
    }

    @Test
    void anUnexpectedFailureAfterProposingIsOutcomeUnknownToo() {
        Response r = answer(c -> c.failNextProposal(new IllegalStateException("replica loop stopped")));
        assertEquals(ErrorCode.OUTCOME_UNKNOWN.wire(), r.getError().getCode());
        assertTrue(r.getError().getMessage().contains("replica loop stopped"), r.getError().getMessage());
    }

    @Test
    void aTypedRefusalOtherThanNotMasterIsPassedOn() {
        Response r = answer(c -> c.failNextProposal(new ChubbyException(ErrorCode.TOO_LARGE, "too big")));
        assertEquals(ErrorCode.TOO_LARGE.wire(), r.getError().getCode());
        assertEquals("too big", r.getError().getMessage());
    }
}
