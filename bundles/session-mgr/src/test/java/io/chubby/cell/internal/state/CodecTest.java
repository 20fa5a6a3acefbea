package io.chubby.cell.internal.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The codec's bytes are the replicated log's and the stored state's: they must stay exactly what
 * the {@code DataOutputStream} layout of earlier builds wrote (big-endian, length-prefixed).
 */
class CodecTest {
    @Test
    void writesTheBytesDataOutputStreamWroteAndReadsThemBack() throws Exception {
        Random r = new Random(7);
        for (int round = 0; round < 200; round++) {
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(expected);
            Codec.Out out = new Codec.Out();
            int u8 = r.nextInt(256);
            int i32 = r.nextInt();
            long i64 = r.nextLong();
            byte[] blob = new byte[r.nextInt(300)];
            r.nextBytes(blob);
            String s = round % 3 == 0 ? null : "p/" + round + "/é" + r.nextInt();
            d.writeByte(u8);
            d.writeInt(i32);
            d.writeLong(i64);
            d.writeByte(round % 2);
            d.writeInt(blob.length);
            d.write(blob);
            if (s == null) {
                d.writeByte(0);
            } else {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                d.writeByte(1);
                d.writeInt(b.length);
                d.write(b);
            }
            out.u8(u8).i32(i32).i64(i64).bool(round % 2 == 1).bytes(blob).str(s);
            byte[] bytes = out.toBytes();
            assertArrayEquals(expected.toByteArray(), bytes);

            Codec.In in = new Codec.In(bytes, ErrorCode.INTERNAL, "test");
            assertEquals(u8, in.u8());
            assertEquals(i32, in.i32());
            assertEquals(i64, in.i64());
            assertEquals(round % 2 == 1, in.bool());
            assertArrayEquals(blob, in.bytes());
            assertEquals(s, in.str());
            assertFalse(in.more());
            in.end();
        }
    }

    @Test
    void malformedInputIsATypedErrorNeverAnotherException() {
        byte[] shortLength = new Codec.Out().i32(10).u8(1).toBytes();
        ChubbyException e = assertThrows(ChubbyException.class,
                () -> new Codec.In(shortLength, ErrorCode.PROTOCOL_ERROR, "command").bytes());
        assertEquals(ErrorCode.PROTOCOL_ERROR, e.code());
        assertTrue(e.getMessage().contains("malformed command: length 10 exceeds remaining input (1 bytes)"),
                e.getMessage());
        byte[] negative = new Codec.Out().i32(-1).toBytes();
        assertThrows(ChubbyException.class, () -> new Codec.In(negative, ErrorCode.INTERNAL, "x").bytes());
        assertThrows(ChubbyException.class, () -> new Codec.In(new byte[3], ErrorCode.INTERNAL, "x").i32());
        assertThrows(ChubbyException.class, () -> new Codec.In(new byte[0], ErrorCode.INTERNAL, "x").u8());
        Codec.In trailing = new Codec.In(new byte[2], ErrorCode.INTERNAL, "x");
        trailing.u8();
        assertTrue(trailing.more());
        assertEquals("INTERNAL: malformed x: 1 trailing bytes",
                assertThrows(ChubbyException.class, trailing::end).getMessage());
        assertNull(new Codec.In(new byte[] {0}, ErrorCode.INTERNAL, "x").str());
    }
}
