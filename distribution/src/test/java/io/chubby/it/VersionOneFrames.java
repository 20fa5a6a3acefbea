package io.chubby.it;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Messages exactly as a client of protocol version 1 sends them, encoded by hand from the field
 * numbers that version published (docs/PROTOCOL.md; client.proto at protocol 1.0.0), never from
 * the generated classes: if a field were renumbered, or a call moved to another number, these
 * bytes would no longer mean what they say and {@code WireProtocolBehaviour} would fail. They
 * carry none of the fields added later. The Hello is written out in full as captured bytes.
 */
final class VersionOneFrames {
    /** Hello{protocol_version: 1, client_name: "v1-client"}, the message of the first frame. */
    static final byte[] HELLO = HexFormat.of().parseHex("0801" + "1209" + "76312d636c69656e74");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static VersionOneFrames message() {
        return new VersionOneFrames();
    }

    /** A Request: call_id 1, session_id 2, epoch 3, and one call in field {@code callField} (10..28, 40). */
    static byte[] request(long callId, long sessionId, long epoch, int callField, VersionOneFrames call) {
        return message().varint(1, callId).varint(2, sessionId).varint(3, epoch).message(callField, call).bytes();
    }

    VersionOneFrames varint(int field, long value) {
        if (value != 0) { // proto3 leaves zero values out
            tag(field, 0);
            raw(value);
        }
        return this;
    }

    VersionOneFrames bytes(int field, byte[] value) {
        if (value.length != 0) {
            tag(field, 2);
            raw(value.length);
            out.writeBytes(value);
        }
        return this;
    }

    VersionOneFrames string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A nested message, written even when empty (an empty call body still selects the call). */
    VersionOneFrames message(int field, VersionOneFrames m) {
        byte[] b = m.bytes();
        tag(field, 2);
        raw(b.length);
        out.writeBytes(b);
        return this;
    }

    /** A packed repeated varint field (proto3's default encoding of repeated uint64). */
    VersionOneFrames packed(int field, long... values) {
        if (values.length != 0) {
            VersionOneFrames p = message();
            for (long v : values) {
                p.raw(v);
            }
            bytes(field, p.bytes());
        }
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        raw(((long) field << 3) | wireType);
    }

    private void raw(long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
