package io.chubby.client.internal.tls;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilter.NextFilter;
import org.apache.mina.core.session.AbstractIoSession;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.DefaultWriteRequest;
import org.apache.mina.core.write.WriteRequest;

/**
 * One connection's TLS state: its {@link SSLEngine}, the ciphertext of a record that arrived in
 * part, and the writes made before the handshake finished. Every method holds this object's lock.
 *
 * <p>Application data is sealed late: a write goes into the session's write queue as plaintext,
 * and {@link SealingQueue} seals it when the I/O thread takes it to send. Everything queued behind
 * it by then goes into the same records ({@link #sealQueued}), so a connection that is busy sends
 * many messages per record (fewer records to seal and to open on both sides) while an idle one
 * still sends each message at once. Sealing only at the head of the queue also keeps records in
 * sequence order whatever thread wrote; handshake messages after the handshake (a KeyUpdate
 * answer) are queued as a {@link WrapLater} marker for the same reason.
 *
 * <p>What it does not do, on purpose, compared with MINA's own SSL handlers: no buffer of two TLS
 * packets per message written (records are sealed into a reused scratch buffer and copied out at
 * their exact size), no cap on messages in flight (the session's write queue is the only queue), and
 * no application data left undecoded behind a handshake message: every complete record of a read is
 * opened in the same call, and all its plaintext goes up as one buffer.
 */
final class TlsConnection {
    /** A record this filter writes on its own (handshake, alert): its messageSent goes no further. */
    static class RecordWrite extends DefaultWriteRequest {
        RecordWrite(IoBuffer record) {
            super(record);
        }
    }

    /** Queued in place of a handshake message to send after the handshake: sealed in queue order. */
    static final class WrapLater extends RecordWrite {
        WrapLater() {
            super(IoBuffer.allocate(0));
        }
    }

    /** What a read produced for the layers above: plaintext (or null) and whether it secured the connection. */
    record Opened(IoBuffer plaintext, boolean secured) {
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** Most plaintext sealed together in one pass: four full records. */
    static final int COALESCE_MAX_BYTES = 4 * 16_384;

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

    /**
     * Hands {@code request} down to the session's queue, still plaintext ({@link SealingQueue}
     * seals it on its way out), or holds it until the handshake is done.
     */
    synchronized void write(NextFilter next, WriteRequest request) {
        if (!secured || !pending.isEmpty()) {
            pending.add(request);
            return;
        }
        next.filterWrite(session, request);
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
                    runTasks();
                    hs = engine.getHandshakeStatus();
                }
                case NEED_WRAP -> {
                    if (secured) {
                        // plaintext may be queued ahead: this message must be sealed after it
                        next.filterWrite(session, new WrapLater());
                        return;
                    }
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
                            next.filterWrite(session, held);
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
     * Seals {@code first}, which the I/O thread just took from the head of the session's queue,
     * with the plaintext writes queued right behind it (up to {@link #COALESCE_MAX_BYTES}), into one
     * buffer of records; returns what the I/O thread sends instead. One write: the same request with
     * the ciphertext as its message. Several: a {@link SealedBatch} that completes them all.
     * Anything else at the head (a sealed handshake record, an empty buffer, a close request) goes
     * as it is. A failure fails the writes taken and closes the connection; plaintext never leaves.
     */
    synchronized WriteRequest sealQueued(WriteRequest first, Queue<WriteRequest> queue) {
        if (first instanceof WrapLater) {
            return handshakeRecords(first);
        }
        if (!isPlaintext(first)) {
            return first;
        }
        List<WriteRequest> batch = new ArrayList<>(4);
        batch.add(first);
        int plain = ((IoBuffer) first.getMessage()).remaining();
        WriteRequest next;
        while (plain < COALESCE_MAX_BYTES && (next = queue.peek()) != null && isPlaintext(next)) {
            queue.poll(); // the I/O thread is the only taker: it is the one peeked
            batch.add(next);
            plain += ((IoBuffer) next.getMessage()).remaining();
        }
        try {
            IoBuffer sealed = seal(batch, plain);
            if (session instanceof AbstractIoSession s) {
                s.increaseScheduledWriteBytes(sealed.remaining() - plain); // counted as plaintext when queued
            }
            if (batch.size() == 1) {
                first.setMessage(sealed);
                return first;
            }
            return new SealedBatch(sealed, batch, session);
        } catch (SSLException | RuntimeException e) {
            for (WriteRequest r : batch) {
                r.getFuture().setException(e);
            }
            session.closeNow();
            return new RecordWrite(IoBuffer.allocate(0));
        }
    }

    /** Application data this class seals: a buffer with bytes, not one of our own records. */
    static boolean isPlaintext(WriteRequest r) {
        return !(r instanceof RecordWrite) && r.getMessage() instanceof IoBuffer b && b.hasRemaining();
    }

    /** Every plaintext byte of {@code batch} sealed into records (16 KB of plaintext each at most), exact size. */
    private IoBuffer seal(List<WriteRequest> batch, int plain) throws SSLException {
        ByteBuffer[] srcs = new ByteBuffer[batch.size()];
        for (int i = 0; i < srcs.length; i++) {
            srcs[i] = ((IoBuffer) batch.get(i).getMessage()).buf();
        }
        ByteBuffer out = null;
        int left = plain;
        while (left > 0 || engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            SSLEngineResult r = sealInto(srcs);
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new SSLException("TLS connection closed; the write was not sent");
            }
            if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                runTasks();
            }
            if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                throw new SSLException("TLS engine cannot send now (handshake status "
                        + engine.getHandshakeStatus() + ")");
            }
            left -= r.bytesConsumed();
            sealScratch.flip();
            if (out == null && left == 0) {
                out = ByteBuffer.allocate(sealScratch.remaining()); // the usual case: one pass, exact size
            } else if (out == null || out.remaining() < sealScratch.remaining()) {
                ByteBuffer bigger = ByteBuffer.allocate((out == null ? 0 : out.position())
                        + sealScratch.remaining() + left + 64 * (1 + left / 16_384));
                if (out != null) {
                    out.flip();
                    bigger.put(out);
                }
                out = bigger;
            }
            out.put(sealScratch);
        }
        out.flip();
        return IoBuffer.wrap(out);
    }

    /** The handshake messages the engine has to send now (a KeyUpdate answer), sealed in queue order. */
    private WriteRequest handshakeRecords(WriteRequest marker) {
        try {
            ByteBuffer out = ByteBuffer.allocate(0);
            while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                SSLEngineResult r = sealInto(EMPTY);
                sealScratch.flip();
                ByteBuffer bigger = ByteBuffer.allocate(out.position() + sealScratch.remaining());
                out.flip();
                bigger.put(out).put(sealScratch);
                out = bigger;
                if (r.getStatus() == SSLEngineResult.Status.CLOSED || r.bytesProduced() == 0) {
                    break;
                }
            }
            out.flip();
            return out.hasRemaining() ? new RecordWrite(IoBuffer.wrap(out)) : marker;
        } catch (SSLException | RuntimeException e) {
            session.closeNow();
            return marker;
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private SSLEngineResult sealInto(ByteBuffer src) throws SSLException {
        return sealInto(new ByteBuffer[] {src});
    }

    /** One {@code wrap} into the scratch buffer (cleared first), growing it if the engine asks. */
    private SSLEngineResult sealInto(ByteBuffer[] srcs) throws SSLException {
        while (true) {
            sealScratch.clear();
            SSLEngineResult r = engine.wrap(srcs, sealScratch);
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
