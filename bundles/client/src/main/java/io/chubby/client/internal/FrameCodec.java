package io.chubby.client.internal;

import com.google.protobuf.MessageLite;
import io.chubby.protocol.Frames;
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
 * MINA adapter around {@link Frames}: writes protobuf messages as frames and reads frames as raw
 * message bytes (the handler knows whether a HelloReply or a Response is due). A bad frame throws,
 * which makes MINA report it to the handler, which closes the connection.
 */
final class FrameCodec implements ProtocolCodecFactory {
    private final int maxMessage;

    FrameCodec(int maxMessage) {
        this.maxMessage = maxMessage;
    }

    @Override
    public ProtocolEncoder getEncoder(IoSession session) {
        return new ProtocolEncoderAdapter() {
            @Override
            public void encode(IoSession s, Object message, ProtocolEncoderOutput out) {
                out.write(IoBuffer.wrap(Frames.encode(((MessageLite) message).toByteArray())));
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
