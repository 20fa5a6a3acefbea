package io.chubby.proxy.internal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.protocol.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Answers to clients: the master's answers given back the client's call id, and failures put in words. */
final class Replies {
    private Replies() {
    }

    /**
     * The master's encoded answer with the client's call id: appended as a second {@code call_id}
     * field (a protobuf parser keeps the last value of a scalar field), so the answer is not parsed.
     */
    static byte[] withCallId(byte[] response, long callId) {
        byte[] out = new byte[response.length + 1 + CodedOutputStream.computeUInt64SizeNoTag(callId)];
        System.arraycopy(response, 0, out, 0, response.length);
        CodedOutputStream c = CodedOutputStream.newInstance(out, response.length, out.length - response.length);
        try {
            c.writeUInt64(Response.CALL_ID_FIELD_NUMBER, callId);
            c.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: the buffer was sized for the field", e);
        }
        return out;
    }

    /**
     * Whether the master's encoded answer carries a location ({@code Response.master}), read from
     * its top-level tags without parsing the rest; true for bytes that are not a Response (the
     * caller parses them, and says so).
     */
    static boolean carriesMaster(byte[] response) {
        CodedInputStream in = CodedInputStream.newInstance(response);
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (WireFormat.getTagFieldNumber(tag) == Response.MASTER_FIELD_NUMBER || !in.skipField(tag)) {
                    return true; // the location, or an end-group tag: not a Response
                }
            }
            return false;
        } catch (IOException malformed) {
            return true;
        }
    }

    static byte[] error(long callId, ErrorCode code, String message) {
        return Response.newBuilder().setCallId(callId).setError(io.chubby.protocol.Error.newBuilder()
                .setCode(code.wire()).setMessage(message)).build().toByteArray();
    }

    static byte[] error(long callId, int wireCode, String message) {
        return Response.newBuilder().setCallId(callId).setError(io.chubby.protocol.Error.newBuilder()
                .setCode(wireCode).setMessage(message)).build().toByteArray();
    }

    /**
     * An upstream call that ended without an answer, as the client would have seen it talking to the
     * cell: CELL_UNAVAILABLE (nothing applied), OUTCOME_UNKNOWN (a write that may have been), ...
     */
    static byte[] failure(long callId, Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof ChubbyException e) {
            return error(callId, e.code(), "proxy: " + e.getMessage());
        }
        return error(callId, ErrorCode.INTERNAL, "proxy: upstream call failed: " + c);
    }
}
