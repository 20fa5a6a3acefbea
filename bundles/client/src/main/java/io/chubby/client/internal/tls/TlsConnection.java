package io.chubby.client.internal.tls;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilter.NextFilter;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.DefaultWriteRequest;
import org.apache.mina.core.write.WriteRequest;

/**
 * One connection's TLS state: its {@link SSLEngine}, the ciphertext of a record that arrived in
 * part, and the writes made before the handshake finished. Every method holds this object's lock,
 * so records are sealed and handed down the chain in sequence order whatever thread writes.
 *
 * <p>What it does not do, on purpose, compared with MINA's own SSL handlers: no buffer of two TLS
 * packets per message written (a record is sealed into a reused scratch buffer and copied out at
 * its exact size), no cap on messages in flight (the session's write queue is the only queue), and
 * no application data left undecoded behind a handshake message: every complete record of a read is
 * opened in the same call, and all its plaintext goes up as one buffer.
 */
final class TlsConnection {
    /** A record this filter writes on its own (handshake, alert): its messageSent goes no further. */
    static final class RecordWrite extends DefaultWriteRequest {
        RecordWrite(IoBuffer record) {
            super(record);
        }
    }

    /** What a read produced for the layers above: plaintext (or null) and whether it secured the connection. */
    record Opened(IoBuffer plaintext, boolean secured) {
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    private final IoSession session;
    private final ArrayDeque<WriteRequest> pending = new ArrayDeque<>();
    private ByteBuffer sealScratch; // a whole TLS packet, reused for every record sealed
    private ByteBuffer partial;     // ciphertext of records not complete yet; null when none
    private boolean secured;

    TlsConnection(SSLEngine engine, IoSession session) {
        this.engine = engine;
        this.session = session;
        this.sealScratch = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    }

    /** Opens the handshake on the connecting side (the accepting side waits for the ClientHello). */
    synchronized void start(NextFilter next) throws SSLException {
        if (engine.getUseClientMode()) {
            engine.beginHandshake();
            handshake(next, engine.getHandshakeStatus());
        }
    }

    synchronized boolean secured() {
        return secured;
    }

    /** Seals {@code request}'s bytes and hands them down, or holds them until the handshake is done. */
    synchronized void write(NextFilter next, WriteRequest request) throws SSLException {
        if (!secured || !pending.isEmpty()) {
            pending.add(request);
            return;
        }
        seal(next, request);
    }

    /** Opens every complete record in {@code in}, answering handshake messages as they come. */
    synchronized Opened receive(NextFilter next, IoBuffer in) throws SSLException {
        ByteBuffer src = input(in.buf());
        ByteBuffer plain = null;
        boolean wasSecured = secured;
        try {
            while (src.hasRemaining()) {
                if (plain == null || !plain.hasRemaining()) {
                    plain = grow(plain, Math.max(src.remaining(), 512));
                }
                SSLEngineResult r = engine.unwrap(src, plain);
                switch (r.getStatus()) {
                    case BUFFER_OVERFLOW -> {
                        plain = grow(plain, engine.getSession().getApplicationBufferSize());
                        continue;
                    }
                    case BUFFER_UNDERFLOW -> {
                        keep(src); // a record still arriving
                        return opened(plain, wasSecured);
                    }
                    case CLOSED -> {
                        handshake(next, r.getHandshakeStatus()); // our close_notify in answer
                        return opened(plain, wasSecured); // the peer closed: what follows is not TLS
                    }
                    default -> {
                    }
                }
                HandshakeStatus hs = r.getHandshakeStatus();
                handshake(next, hs);
                if (r.bytesConsumed() == 0 && hs != HandshakeStatus.NEED_WRAP && hs != HandshakeStatus.NEED_TASK
                        && hs != HandshakeStatus.FINISHED) {
                    break; // no progress possible on these bytes: keep them for the next read
                }
            }
            keep(src);
            return opened(plain, wasSecured);
        } catch (SSLException e) {
            sendAlert(next);
            throw e;
        }
    }

    private Opened opened(ByteBuffer plain, boolean wasSecured) {
        IoBuffer text = null;
        if (plain != null && plain.position() > 0) {
            plain.flip();
            text = IoBuffer.wrap(plain);
        }
        return new Opened(text, secured && !wasSecured);
    }

    /** The ciphertext to open: {@code fresh} alone, or behind the part of a record kept from the last read. */
    private ByteBuffer input(ByteBuffer fresh) {
        if (partial == null) {
            return fresh;
        }
        ByteBuffer joined = ByteBuffer.allocate(partial.remaining() + fresh.remaining());
        joined.put(partial).put(fresh).flip();
        partial = null;
        return joined;
    }

    /** Keeps what is left of {@code src} (part of a record) for the next read; the read buffer is not ours to keep. */
    private void keep(ByteBuffer src) {
        if (src.hasRemaining()) {
            ByteBuffer copy = ByteBuffer.allocate(src.remaining());
            copy.put(src).flip();
            partial = copy;
        }
    }

    private static ByteBuffer grow(ByteBuffer b, int more) {
        if (b == null) {
            return ByteBuffer.allocate(more);
        }
        ByteBuffer bigger = ByteBuffer.allocate(b.capacity() + more);
        b.flip();
        bigger.put(b);
        return bigger;
    }

    /**
     * Drives the handshake from {@code status}: runs the engine's delegated tasks here (certificate
     * checks, a few per connection), hands down what it has to send, and on FINISHED marks the
     * connection secured and seals the writes held until then.
     */
    private void handshake(NextFilter next, HandshakeStatus status) throws SSLException {
        HandshakeStatus hs = status;
        while (true) {
            switch (hs) {
                case NEED_TASK -> {
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    hs = engine.getHandshakeStatus();
                }
                case NEED_WRAP -> {
                    SSLEngineResult r = sealInto(EMPTY);
                    if (sealScratch.position() > 0) {
                        next.filterWrite(session, new RecordWrite(copyOut(sealScratch)));
                    }
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        return;
                    }
                    hs = r.getHandshakeStatus();
                }
                case FINISHED -> {
                    if (!secured) {
                        secured = true;
                        session.setAttribute(TlsFilter.SECURED_SESSION, engine.getSession());
                        WriteRequest held;
                        while ((held = pending.poll()) != null) {
                            seal(next, held);
                        }
                    }
                    return;
                }
                default -> {
                    return; // NEED_UNWRAP: wait for the peer; NOT_HANDSHAKING: nothing to do
                }
            }
        }
    }

    /**
     * Seals the request's bytes into as many records as they need (one for every message under
     * 16 KB), replaces its message by the ciphertext and hands it down; its future and messageSent
     * stay the caller's.
     */
    private void seal(NextFilter next, WriteRequest request) throws SSLException {
        ByteBuffer src = ((IoBuffer) request.getMessage()).buf();
        ByteBuffer out = null;
        while (src.hasRemaining() || engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            SSLEngineResult r = sealInto(src);
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new SSLException("TLS connection closed; the write was not sent");
            }
            if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                }
            }
            if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                throw new SSLException("TLS engine cannot send now (handshake status "
                        + engine.getHandshakeStatus() + ")");
            }
            sealScratch.flip();
            if (out == null && !src.hasRemaining()) {
                out = ByteBuffer.allocate(sealScratch.remaining()); // the usual case: one record, exact size
            } else if (out == null || out.remaining() < sealScratch.remaining()) {
                ByteBuffer bigger = ByteBuffer.allocate((out == null ? 0 : out.position())
                        + sealScratch.remaining() + src.remaining() + 64 * (1 + src.remaining() / 16_384));
                if (out != null) {
                    out.flip();
                    bigger.put(out);
                }
                out = bigger;
            }
            out.put(sealScratch);
        }
        out.flip();
        request.setMessage(IoBuffer.wrap(out));
        next.filterWrite(session, request);
    }

    /** One {@code wrap} into the scratch buffer (cleared first), growing it if the engine asks. */
    private SSLEngineResult sealInto(ByteBuffer src) throws SSLException {
        while (true) {
            sealScratch.clear();
            SSLEngineResult r = engine.wrap(src, sealScratch);
            if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                return r;
            }
            sealScratch = ByteBuffer.allocate(Math.max(sealScratch.capacity() * 2,
                    engine.getSession().getPacketBufferSize()));
        }
    }

    private static IoBuffer copyOut(ByteBuffer scratch) {
        scratch.flip();
        ByteBuffer copy = ByteBuffer.allocate(scratch.remaining());
        copy.put(scratch).flip();
        return IoBuffer.wrap(copy);
    }

    /** After a failed handshake the engine holds an alert saying why: send it before the connection closes. */
    private void sendAlert(NextFilter next) {
        try {
            engine.closeOutbound();
            for (int i = 0; i < 4 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
                sealInto(EMPTY);
                if (sealScratch.position() == 0) {
                    break;
                }
                next.filterWrite(session, new RecordWrite(copyOut(sealScratch)));
            }
        } catch (SSLException | RuntimeException e) {
            // the alert is a courtesy; the error that caused it is what the caller reports
        }
    }
}
