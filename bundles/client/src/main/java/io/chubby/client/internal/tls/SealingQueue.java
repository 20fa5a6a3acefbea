package io.chubby.client.internal.tls;

import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.mina.core.session.AbstractIoSession;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRequest;
import org.apache.mina.core.write.WriteRequestQueue;

/**
 * The write queue of a TLS session: writers (any thread) queue plaintext; the I/O thread, when it
 * takes the head to send, gets it sealed together with the plaintext queued behind it
 * ({@link TlsConnection#sealQueued}). {@link TlsFilter} installs it when the session is created.
 */
final class SealingQueue implements WriteRequestQueue {
    private final ConcurrentLinkedQueue<WriteRequest> queue = new ConcurrentLinkedQueue<>();
    private final TlsConnection tls;

    SealingQueue(TlsConnection tls) {
        this.tls = tls;
    }

    /** The head, sealed with what follows it; a close-on-flush request closes the session here (as MINA's own queue does). */
    @Override
    public WriteRequest poll(IoSession session) {
        WriteRequest head = queue.poll();
        if (head == AbstractIoSession.CLOSE_REQUEST) {
            session.closeNow();
            return null;
        }
        return head == null ? null : tls.sealQueued(head, queue);
    }

    @Override
    public void offer(IoSession session, WriteRequest request) {
        queue.offer(request);
    }

    @Override
    public boolean isEmpty(IoSession session) {
        return queue.isEmpty();
    }

    @Override
    public void clear(IoSession session) {
        queue.clear();
    }

    @Override
    public void dispose(IoSession session) {
        queue.clear();
    }

    @Override
    public int size() {
        return queue.size();
    }
}
