package io.chubby.client.internal;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.chubby.protocol.Frames;
import io.chubby.protocol.Request;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.CumulativeProtocolDecoder;
import org.apache.mina.filter.codec.ProtocolCodecFactory;
import org.apache.mina.filter.codec.ProtocolDecoder;
import org.apache.mina.filter.codec.ProtocolDecoderOutput;
import org.apache.mina.filter.codec.ProtocolEncoder;
import org.apache.mina.filter.codec.ProtocolEncoderAdapter;
import org.apache.mina.filter.codec.ProtocolEncoderOutput;

/**
 * MINA adapter around {@link Frames}: writes protobuf messages, and requests framed by
 * {@link #requestFrame}, as frames and reads frames as raw message bytes (the handler knows whether
 * a HelloReply or a Response is due). A bad frame throws, which makes MINA report it to the
 * handler, which closes the connection.
 */
final class FrameCodec implements ProtocolCodecFactory {
    private final int maxMessage;

    FrameCodec(int maxMessage) {
        this.maxMessage = maxMessage;
    }

    /**
     * The frame of an encoded Request with {@code call_id} and {@code epoch} appended. A protobuf
     * parser keeps the last value of a scalar field that occurs twice, so these override whatever
     * the request carried, and the request is framed without being parsed or re-encoded.
     */
    static byte[] requestFrame(byte[] request, long callId, long epoch) {
        int tail = CodedOutputStream.computeUInt64Size(Request.CALL_ID_FIELD_NUMBER, callId)
                + CodedOutputStream.computeUInt64Size(Request.EPOCH_FIELD_NUMBER, epoch);
        int length = request.length + tail;
        byte[] frame = new byte[Frames.HEADER + length];
        ByteBuffer.wrap(frame).putInt(length + 2).putShort((short) Frames.VERSION).put(request);
        CodedOutputStream out = CodedOutputStream.newInstance(frame, Frames.HEADER + request.length, tail);
        try {
            out.writeUInt64(Request.CALL_ID_FIELD_NUMBER, callId);
            out.writeUInt64(Request.EPOCH_FIELD_NUMBER, epoch);
        } catch (IOException e) {
            throw new UncheckedIOException("sized wrongly", e); // cannot happen: the array was sized for it
        }
        return frame;
    }

    @Override
    public ProtocolEncoder getEncoder(IoSession session) {
        return new ProtocolEncoderAdapter() {
            @Override
            public void encode(IoSession s, Object message, ProtocolEncoderOutput out) {
                byte[] frame = message instanceof byte[] framed ? framed
                        : Frames.encode(((MessageLite) message).toByteArray());
                out.write(IoBuffer.wrap(frame));
            }
        };
    }

    @Override
    public ProtocolDecoder getDecoder(IoSession session) {
        return new CumulativeProtocolDecoder() {
            @Override
            protected boolean doDecode(IoSession s, IoBuffer in, ProtocolDecoderOutput out) throws Exception {
                // Frames.decode moves the position of the shared ByteBuffer only when a whole frame is there.
                byte[] msg = Frames.decode(in.buf(), maxMessage);
                if (msg == null) {
                    return false;
                }
                out.write(msg);
                return true;
            }
        };
    }
}
