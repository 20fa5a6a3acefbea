package io.chubby.paxos.core;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/** Collects the durable writes and messages of one {@link Ready}. Owned by the node's thread. */
final class Outbox {
    private Ballot promised;
    private final TreeMap<Long, Entry> entries = new TreeMap<>();
    private final List<Message> messages = new ArrayList<>();
    private final TreeSet<Integer> needSnapshot = new TreeSet<>();

    void promise(Ballot b) {
        promised = b;
    }

    void accept(Entry e) {
        entries.put(e.index(), e);
    }

    void send(Message m) {
        messages.add(m);
    }

    void needSnapshot(int replica) {
        needSnapshot.add(replica);
    }

    boolean isEmpty() {
        return promised == null && entries.isEmpty() && messages.isEmpty() && needSnapshot.isEmpty();
    }

    Ready drain(List<Entry> committed, Ready.Status status) {
        boolean sync = promised != null || !entries.isEmpty();
        Ready r = new Ready(promised, new ArrayList<>(entries.values()), sync, messages, committed,
                new ArrayList<>(needSnapshot), status);
        promised = null;
        entries.clear();
        messages.clear();
        needSnapshot.clear();
        return r;
    }
}
