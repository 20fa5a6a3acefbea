package io.chubby.client.internal;

import java.io.IOException;
import java.util.concurrent.Executor;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.transport.socket.nio.NioProcessor;
import org.apache.mina.transport.socket.nio.NioSession;

/**
 * MINA's NIO processor with one change: a read that fails with an {@link IOException} (typically
 * "Connection reset" when a replica dies or a failover closes the connection) reaches the
 * connection's handler as an exception and then ends the connection like end-of-stream. MINA 2.2's
 * own processor logs every such failure at ERROR (logger {@code org.apache.mina.core.service.IoProcessor})
 * before any handler hears of it, which a library must not do to its users' logs: for a client a
 * reset is routine, and {@link Connection} fails or retries the calls it affects.
 *
 * <p>Public with a public {@code (Executor)} constructor because MINA's processor pool creates it
 * by reflection; not for use outside this package. Runs on its MINA I/O thread.
 *
 * <p>The same ten lines as transport-mina's {@code HandledReadNioProcessor}, on purpose: sharing them would need an
 * exported package with a MINA type in its signature, and the client must not depend on the server transport. Change both together.
 */
public final class ClientNioProcessor extends NioProcessor {
    public ClientNioProcessor(Executor executor) {
        super(executor);
    }

    @Override
    protected int read(NioSession session, IoBuffer buf) throws Exception {
        try {
            return super.read(session, buf);
        } catch (IOException e) {
            session.getFilterChain().fireExceptionCaught(e); // the handler logs it (DEBUG) and closes
            return -1; // MINA then treats the connection as closed by the peer, without logging
        }
    }
}
