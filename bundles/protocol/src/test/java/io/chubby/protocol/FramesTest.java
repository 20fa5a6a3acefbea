package io.chubby.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FramesTest {

    @Test
    void roundTripsAMessageAcrossPartialReads() throws Exception {
        Request req = Request.newBuilder().setCallId(7).setSessionId(9)
                .setOpen(OpenRequest.newBuilder().setPath("/ls/local/a").setModeBits(3)).build();
        byte[] frame = Frames.encode(req.toByteArray());
        ByteBuffer buf = ByteBuffer.allocate(frame.length);
        for (int i = 0; i < frame.length - 1; i++) {
            buf.put(frame[i]);
            buf.flip();
            assertNull(Frames.decode(buf, Frames.DEFAULT_MAX_MESSAGE), "incomplete frame must wait");
            assertEquals(0, buf.position());
            buf.position(buf.limit());
            buf.limit(buf.capacity());
        }
        buf.put(frame[frame.length - 1]);
        buf.flip();
        byte[] msg = Frames.decode(buf, Frames.DEFAULT_MAX_MESSAGE);
        assertEquals(req, Request.parseFrom(msg));
        assertEquals(0, buf.remaining());
    }

    @Test
    void decodesTwoFramesInOneBuffer() throws Exception {
        byte[] a = Frames.encode(new byte[] {1, 2});
        byte[] b = Frames.encode(new byte[0]);
        ByteBuffer buf = ByteBuffer.allocate(a.length + b.length).put(a).put(b).flip();
        assertArrayEquals(new byte[] {1, 2}, Frames.decode(buf, 10));
        assertArrayEquals(new byte[0], Frames.decode(buf, 10));
        assertNull(Frames.decode(buf, 10));
    }

    @Test
    void rejectsOversizedBeforeReadingTheBody() {
        ByteBuffer buf = ByteBuffer.allocate(8).putInt(Integer.MAX_VALUE).putShort((short) 1).flip();
        FrameException e = assertThrows(FrameException.class, () -> Frames.decode(buf, 1024));
        assertTrue(e.getMessage().contains("exceeds the limit"));
    }

    @Test
    void rejectsWrongVersionAndShortLength() {
        ByteBuffer v = ByteBuffer.allocate(8).putInt(4).putShort((short) 99).putShort((short) 0).flip();
        UnsupportedVersionException e = assertThrows(UnsupportedVersionException.class, () -> Frames.decode(v, 1024));
        assertEquals(99, e.version());
        assertTrue(e.getMessage().contains("version 99"), e.getMessage());
        assertEquals(8, v.position(), "the frame of another version is skipped");
        ByteBuffer s = ByteBuffer.allocate(4).putInt(1).flip();
        assertThrows(FrameException.class, () -> Frames.decode(s, 1024));
        ByteBuffer neg = ByteBuffer.allocate(4).putInt(-5).flip();
        assertThrows(FrameException.class, () -> Frames.decode(neg, 1024));
    }

    @Test
    void garbageProtobufIsReportedByTheParser() {
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
        assertThrows(com.google.protobuf.InvalidProtocolBufferException.class, () -> Request.parseFrom(garbage));
    }
}
