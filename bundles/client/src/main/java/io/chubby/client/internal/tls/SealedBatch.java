package io.chubby.client.internal.tls;

import java.util.List;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.DefaultWriteFuture;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.DefaultWriteRequest;
import org.apache.mina.core.write.WriteRequest;

/**
 * Several writes sealed into one buffer of records and sent as one. When it is sent (or fails),
 * so is each write in it: their futures complete with it, and {@link TlsFilter#messageSent} passes
 * each of them up the chain in the order they were written.
 */
final class SealedBatch extends DefaultWriteRequest {
    private final List<WriteRequest> writes;

    SealedBatch(IoBuffer records, List<WriteRequest> writes, IoSession session) {
        super(records, new Future(session, writes));
        this.writes = List.copyOf(writes);
    }

    /** The writes in this batch, in the order they were written. */
    List<WriteRequest> writes() {
        return writes;
    }

    /** The batch's future: whatever happens to it happens to every write in it. */
    private static final class Future extends DefaultWriteFuture {
        private final List<WriteRequest> writes;

        Future(IoSession session, List<WriteRequest> writes) {
            super(session);
            this.writes = List.copyOf(writes);
        }

        @Override
        public void setWritten() {
            super.setWritten();
            writes.forEach(w -> w.getFuture().setWritten());
        }

        @Override
        public void setException(Throwable cause) {
            super.setException(cause);
            writes.forEach(w -> w.getFuture().setException(cause));
        }
    }
}
