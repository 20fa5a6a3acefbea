package io.chubby.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ErrorCode;
import org.junit.jupiter.api.Test;

/** The leaving notice is recognised as one, and nothing else a client can receive is. */
class LeavingNoticeTest {
    @Test
    void theNoticeIsCallZeroNotMasterWithWhereToGo() throws Exception {
        MasterLocation where = MasterLocation.newBuilder().setCell("c").setMasterId(2).setMasterAddress("h:2").build();
        Response n = Response.parseFrom(LeavingNotice.of("replica 1 is leaving", where).toByteArray());
        assertTrue(LeavingNotice.is(n));
        assertEquals(0, n.getCallId());
        assertEquals(ErrorCode.NOT_MASTER.wire(), n.getError().getCode());
        assertEquals("replica 1 is leaving", n.getError().getMessage());
        assertEquals(where, n.getMaster());
    }

    @Test
    void answersToCallsAndOtherCallZeroErrorsAreNotNotices() {
        Error notMaster = Error.newBuilder().setCode(ErrorCode.NOT_MASTER.wire()).build();
        assertFalse(LeavingNotice.is(Response.newBuilder().setCallId(7).setError(notMaster).build()),
                "a call's own NOT_MASTER");
        assertFalse(LeavingNotice.is(Response.newBuilder().setCallId(0).setError(Error.newBuilder()
                .setCode(ErrorCode.PROTOCOL_ERROR.wire())).build()), "an undecodable frame's answer");
        assertFalse(LeavingNotice.is(Response.getDefaultInstance()));
    }
}
