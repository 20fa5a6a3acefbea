package io.chubby.transport.internal;

import io.chubby.protocol.Frames;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolEncoderAdapter;
import org.apache.mina.filter.codec.ProtocolEncoderOutput;

/** Wraps each outbound {@code byte[]} message in a frame. Stateless; runs on the writer's thread. */
final class FrameEncoder extends ProtocolEncoderAdapter {
    @Override
    public void encode(IoSession session, Object message, ProtocolEncoderOutput out) {
        if (!(message instanceof byte[] bytes)) {
            throw new IllegalArgumentException("transport writes byte[] messages, got " + message.getClass().getName());
        }
        out.write(IoBuffer.wrap(Frames.encode(bytes)));
    }
}
