package io.chubby.cell.internal.state;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Hand-written binary codec helpers shared by commands, records, results and handles. The byte
 * layout is part of the replicated log and the stored state: never reorder fields, only append
 * new fields behind a new version byte.
 */
final class Codec {
    private Codec() {
    }

    /** Writer over a growing byte array; IOExceptions cannot happen on memory and are unchecked. */
    static final class Out {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        private final DataOutputStream out = new DataOutputStream(bytes);

        Out u8(int v) {
            try {
                out.writeByte(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Out i32(int v) {
            try {
                out.writeInt(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Out i64(long v) {
            try {
                out.writeLong(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Out bool(boolean v) {
            return u8(v ? 1 : 0);
        }

        Out bytes(byte[] v) {
            i32(v.length);
            try {
                out.write(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        /** A string that may be null (a flag byte, then UTF-8 bytes). */
        Out str(String v) {
            if (v == null) {
                return u8(0);
            }
            u8(1);
            return bytes(v.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        byte[] toBytes() {
            return bytes.toByteArray();
        }
    }

    /** Reader; any malformed input becomes a ChubbyException with {@code onError}'s code. */
    static final class In {
        private final DataInputStream in;
        private final ErrorCode onError;
        private final String what;

        In(byte[] data, ErrorCode onError, String what) {
            this.in = new DataInputStream(new ByteArrayInputStream(data));
            this.onError = onError;
            this.what = what;
        }

        private ChubbyException bad(Exception e) {
            return new ChubbyException(onError, "malformed " + what + ": " + e, e);
        }

        int u8() {
            try {
                return in.readUnsignedByte();
            } catch (IOException e) {
                throw bad(e);
            }
        }

        int i32() {
            try {
                return in.readInt();
            } catch (IOException e) {
                throw bad(e);
            }
        }

        long i64() {
            try {
                return in.readLong();
            } catch (IOException e) {
                throw bad(e);
            }
        }

        boolean bool() {
            return u8() != 0;
        }

        byte[] bytes() {
            int n = i32();
            try {
                if (n < 0 || n > in.available()) {
                    throw new IOException("length " + n + " exceeds remaining input");
                }
                return in.readNBytes(n);
            } catch (IOException e) {
                throw bad(e);
            }
        }

        String str() {
            return u8() == 0 ? null : new String(bytes(), java.nio.charset.StandardCharsets.UTF_8);
        }

        /** Whether unread bytes remain (for fields appended to an existing layout). */
        boolean more() {
            try {
                return in.available() > 0;
            } catch (IOException e) {
                throw bad(e);
            }
        }

        /** Fails unless every byte was consumed (guards against mismatched layouts). */
        void end() {
            try {
                if (in.available() != 0) {
                    throw bad(new IOException(in.available() + " trailing bytes"));
                }
            } catch (IOException e) {
                throw bad(e);
            }
        }
    }
}
