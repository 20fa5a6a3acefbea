package io.chubby.client.internal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/**
 * Reads {@code Request.partition} (field 51) out of an encoded Request without decoding the rest:
 * the raw channel routes by it and passes the bytes on untouched. Stateless.
 */
final class RequestPartition {
    private static final int FIELD = 51;

    private RequestPartition() {
    }

    /**
     * The partition the request names (the last value when it occurs twice, as a parser takes it);
     * 0 when it names none, and for bytes that are not a Request (partition 0's master answers
     * what is wrong with them).
     */
    static int of(byte[] request) {
        CodedInputStream in = CodedInputStream.newInstance(request);
        int partition = 0;
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (WireFormat.getTagFieldNumber(tag) == FIELD
                        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
                    partition = in.readUInt32();
                } else if (!in.skipField(tag)) {
                    break; // an end-group tag: not a Request
                }
            }
        } catch (IOException malformed) {
            return 0;
        }
        return partition;
    }
}
