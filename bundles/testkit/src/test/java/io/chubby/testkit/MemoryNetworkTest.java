package io.chubby.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.chubby.spi.PeerTransport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryNetworkTest {
    private final MemoryNetwork net = new MemoryNetwork();
    private final List<String> received = new ArrayList<>();

    private PeerTransport listening(int id) {
        PeerTransport t = net.transport(id);
        t.setHandler((from, msg) -> received.add(from + "->" + id + ":" + msg[0]));
        return t;
    }

    @Test
    void deliversACopyOnTheSendersThreadToTheHandlerOnly() {
        PeerTransport one = listening(1);
        listening(2);
        byte[] msg = {7};
        one.send(2, msg);
        one.send(3, msg); // nobody there: dropped
        assertEquals(List.of("1->2:7"), received);
        assertSame(one, net.transport(1));
    }

    @Test
    void cutLinksDropOneWayUntilHealed() {
        PeerTransport one = listening(1);
        PeerTransport two = listening(2);
        listening(3);
        List<Integer> sent = new ArrayList<>();
        net.onSend((from, bytes) -> sent.add(from));
        net.cut(1, 2);
        one.send(2, new byte[] {1});
        two.send(1, new byte[] {2});
        net.isolate(3);
        net.transport(3).send(1, new byte[] {3});
        one.send(3, new byte[] {4});
        assertEquals(List.of("2->1:2"), received);
        assertEquals(List.of(1, 2, 3, 1), sent, "told of every send, cut or not");
        net.heal();
        one.send(2, new byte[] {5});
        assertEquals(List.of("2->1:2", "1->2:5"), received);
    }

    @Test
    void seededFaultsLoseOrDuplicateAndAreCounted() {
        PeerTransport one = listening(1);
        listening(2);
        net.faults(new java.util.Random(7), 0.3, 0.3);
        for (int i = 0; i < 200; i++) {
            one.send(2, new byte[] {1});
        }
        assertEquals(200 - net.lost() + net.duplicated(), received.size());
        org.junit.jupiter.api.Assertions.assertTrue(net.lost() > 0 && net.duplicated() > 0,
                net.lost() + " lost, " + net.duplicated() + " duplicated");
        net.faults(null, 0, 0);
        received.clear();
        one.send(2, new byte[] {2});
        assertEquals(List.of("1->2:2"), received);
    }

    @Test
    void deliveryCanRunOnAnExecutor() {
        PeerTransport one = listening(1);
        listening(2);
        List<Runnable> queued = new ArrayList<>();
        net.deliverOn(queued::add);
        one.send(2, new byte[] {3});
        assertEquals(List.of(), received); // not on the sender's thread
        queued.forEach(Runnable::run);
        assertEquals(List.of("1->2:3"), received);
    }
}
