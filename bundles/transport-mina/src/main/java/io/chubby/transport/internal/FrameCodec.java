package io.chubby.transport.internal;

import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.ProtocolCodecFactory;
import org.apache.mina.filter.codec.ProtocolDecoder;
import org.apache.mina.filter.codec.ProtocolEncoder;

/**
 * MINA codec for {@link io.chubby.protocol.Frames}: inbound frames become {@code byte[]} messages,
 * outbound {@code byte[]} messages become frames. One instance per acceptor or connector; the
 * decoder and encoder keep their per-connection state in session attributes, so they are shared.
 */
final class FrameCodec implements ProtocolCodecFactory {
    private final FrameDecoder decoder;
    private final FrameEncoder encoder;

    /**
     * @param transport name used in log lines ("client" or "peer")
     * @param maxMessage largest accepted message in bytes (excluding the 6-byte header)
     * @param answerVersion pass frames of another protocol version to the handler as
     *     {@link FrameVersionRefused} (client side) instead of closing at once (peer side)
     */
    FrameCodec(String transport, int maxMessage, boolean answerVersion) {
        this.decoder = new FrameDecoder(transport, maxMessage, answerVersion);
        this.encoder = new FrameEncoder();
    }

    @Override
    public ProtocolEncoder getEncoder(IoSession session) {
        return encoder;
    }

    @Override
    public ProtocolDecoder getDecoder(IoSession session) {
        return decoder;
    }
}
