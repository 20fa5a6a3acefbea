package io.chubby.client.internal;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes what a test opened once it ends: clients, channels and the like first (newest first, so
 * a client's CloseSession still reaches its replica), then the fake replicas and other fixtures in
 * the order they were made. Register with {@code @RegisterExtension}; runs after the class's
 * {@code @AfterEach}.
 */
final class Closer implements AfterEachCallback {
    private final Deque<AutoCloseable> clients = new ArrayDeque<>();
    private final List<AutoCloseable> fixtures = new ArrayList<>();

    /** A fake replica closed after every client. */
    FakeReplica replica(int id) throws IOException {
        return fixture(new FakeReplica(id));
    }

    /** Something the replicas use (e.g. a lock model): closed after every client. */
    <T extends AutoCloseable> T fixture(T f) {
        fixtures.add(f);
        return f;
    }

    /** Something that talks to the replicas (a client, a channel, an election): closed before them. */
    <T extends AutoCloseable> T client(T c) {
        clients.push(c);
        return c;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<AutoCloseable> order = new ArrayList<>(clients);
        order.addAll(fixtures);
        clients.clear();
        fixtures.clear();
        Exception first = null;
        for (AutoCloseable c : order) {
            try {
                c.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
