package io.chubby.cell.internal;

import io.chubby.protocol.Response;
import io.chubby.spi.ClientConnection;
import java.util.ArrayList;
import java.util.List;

/** A client connection that records every response sent to it. */
final class CapturingConnection implements ClientConnection {
    final List<Response> sent = new ArrayList<>();
    boolean open = true;

    @Override
    public long id() {
        return 1;
    }

    @Override
    public String remoteAddress() {
        return "127.0.0.1:40000";
    }

    @Override
    public synchronized void send(byte[] message) {
        try {
            sent.add(Response.parseFrom(message));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError("server sent an undecodable response", e);
        }
    }

    @Override
    public void close(String reason) {
        open = false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    synchronized Response last() {
        return sent.isEmpty() ? null : sent.get(sent.size() - 1);
    }

    synchronized Response forCall(long callId) {
        for (int i = sent.size() - 1; i >= 0; i--) {
            if (sent.get(i).getCallId() == callId) {
                return sent.get(i);
            }
        }
        return null;
    }
}
