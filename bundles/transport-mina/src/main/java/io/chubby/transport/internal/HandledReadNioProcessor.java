package io.chubby.transport.internal;

import java.io.IOException;
import java.util.concurrent.Executor;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.transport.socket.nio.NioProcessor;
import org.apache.mina.transport.socket.nio.NioSession;

/**
 * MINA's NIO processor with one change: a read that fails with an {@link IOException} ("Connection
 * reset": the process at the other end died, or was killed) reaches the connection's handler as an
 * exception, and the connection then ends as at end-of-stream. MINA 2.2's own processor logs each
 * such failure at ERROR (logger {@code org.apache.mina.core.service.IoProcessor}, "Exception occured
 * while trying to read, closing session") before any handler hears of it: one ERROR in a replica's
 * log for every client process that exits without closing its socket, which is routine. The
 * handlers log it their way ({@link ClientProtocolHandler}: one INFO line).
 *
 * <p>Public with a public {@code (Executor)} constructor because MINA's processor pool creates it
 * by reflection; not for use outside this package. Runs on its MINA I/O thread.
 *
 * <p>The same ten lines as the client's {@code ClientNioProcessor}, on purpose: sharing them would need an
 * exported package with a MINA type in its signature, and the client must not depend on the server transport. Change both together.
 */
public final class HandledReadNioProcessor extends NioProcessor {
    public HandledReadNioProcessor(Executor executor) {
        super(executor);
    }

    @Override
    protected int read(NioSession session, IoBuffer buf) throws Exception {
        try {
            return super.read(session, buf);
        } catch (IOException e) {
            session.getFilterChain().fireExceptionCaught(e); // the handler logs it and condemns the session
            return -1; // MINA then closes the connection as closed by the peer, without logging
        }
    }
}
