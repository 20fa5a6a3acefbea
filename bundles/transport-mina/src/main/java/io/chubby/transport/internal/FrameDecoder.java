package io.chubby.transport.internal;

import io.chubby.protocol.FrameException;
import io.chubby.protocol.Frames;
import io.chubby.protocol.UnsupportedVersionException;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.codec.CumulativeProtocolDecoder;
import org.apache.mina.filter.codec.ProtocolDecoderOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts the byte stream into frames with {@link Frames#decode}. A bad frame (oversized, wrong
 * version, malformed length) closes only its own connection, with a WARN naming the remote
 * address and the reason; all later input on that connection is discarded. On the client side
 * ({@code answerVersion}) a frame of another protocol version is passed on as a
 * {@link FrameVersionRefused} instead, for the handler to answer with a typed error before it closes. Because the length is
 * checked as soon as its 4 bytes arrive, a connection never holds more than one frame's worth of
 * buffered input (the limit plus the header plus at most one socket read).
 *
 * <p>Stateless itself: the partial-frame buffer lives in MINA's session attribute and the
 * failure/pending markers in ours, all touched only by the session's I/O processor thread.
 */
final class FrameDecoder extends CumulativeProtocolDecoder {
    private static final Logger log = LoggerFactory.getLogger(FrameDecoder.class);
    private static final AttributeKey PENDING = new AttributeKey(FrameDecoder.class, "pending");

    private final String transport;
    private final int maxMessage;
    private final boolean answerVersion;

    FrameDecoder(String transport, int maxMessage, boolean answerVersion) {
        this.transport = transport;
        this.maxMessage = maxMessage;
        this.answerVersion = answerVersion;
    }

    @Override
    public void decode(IoSession session, IoBuffer in, ProtocolDecoderOutput out) throws Exception {
        if (Sessions.condemned(session)) {
            // The connection is closing; do not accumulate what the peer keeps sending.
            in.position(in.limit());
            return;
        }
        super.decode(session, in, out);
    }

    @Override
    protected boolean doDecode(IoSession session, IoBuffer in, ProtocolDecoderOutput out) {
        byte[] message;
        try {
            message = Frames.decode(in.buf(), maxMessage);
        } catch (UnsupportedVersionException e) {
            in.position(in.limit());
            if (answerVersion) {
                // Nothing after it is read: the handler answers, then closes the connection.
                session.removeAttribute(PENDING);
                out.write(new FrameVersionRefused(e.version(), e.getMessage()));
            } else {
                reject(session, e.getMessage());
            }
            return false;
        } catch (FrameException e) {
            reject(session, e.getMessage());
            in.position(in.limit());
            return false;
        }
        if (message == null) {
            // Remember that a frame is half-read, so a disconnect now is reported as truncation.
            if (in.hasRemaining()) {
                session.setAttribute(PENDING, in.remaining());
            } else {
                session.removeAttribute(PENDING);
            }
            return false;
        }
        session.removeAttribute(PENDING);
        out.write(message);
        return true;
    }

    @Override
    public void finishDecode(IoSession session, ProtocolDecoderOutput out) {
        Object pending = session.getAttribute(PENDING);
        if (pending != null && !Sessions.condemned(session)) {
            log.warn("truncated frame at disconnect transport={} remote={} bufferedBytes={}", transport,
                    Sessions.remote(session), pending);
        }
    }

    private void reject(IoSession session, String reason) {
        log.warn("bad frame, closing connection transport={} remote={} reason=\"{}\"", transport,
                Sessions.remote(session), reason);
        Sessions.condemn(session);
    }
}
