package io.chubby.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.PartitionHash;
import io.chubby.client.ChubbyClient;
import io.chubby.client.MasterChannel;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.PartitionMaster;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The public raw channel ({@code ChubbyClient.openChannel}, what a proxy forwards through) routes
 * each call by its {@code Request.partition}, against two scripted replicas: A masters partitions
 * 0 and 2, B masters 1 and 3 of a four-way cell. A partition the cell does not have is refused
 * CELL_UNAVAILABLE without being sent.
 */
class RawChannelPartitionsTest {
    @RegisterExtension
    final Closer closer = new Closer();

    /** The map of {@code n} partitions at epoch 1, p mastered by A when even, else by B. */
    private static MasterLocation map(FakeReplica a, FakeReplica b, int n) {
        return map(a, b, n, -1);
    }

    /** As {@link #map(FakeReplica, FakeReplica, int)}, but partition {@code moved} mastered by A at epoch 2. */
    private static MasterLocation map(FakeReplica a, FakeReplica b, int n, int moved) {
        MasterLocation.Builder m = MasterLocation.newBuilder().setCell("test").setPartitions(n)
                .setPartitionHash(PartitionHash.NAME).addReplicas(a.address()).addReplicas(b.address());
        for (int q = 0; q < n; q++) {
            FakeReplica master = q % 2 == 0 || q == moved ? a : b;
            m.addPartitionMasters(PartitionMaster.newBuilder().setPartition(q).setMasterId(master.id)
                    .setMasterAddress(master.address()).setEpoch(q == moved ? 2 : 1));
        }
        return m.setMasterId(a.id).setMasterAddress(a.address()).setEpoch(1).build();
    }

    private static byte[] read(String handle, int partition) {
        Request.Builder r = Request.newBuilder().setSessionId(7).setGetContents(GetContentsRequest.newBuilder()
                .setHandle(ByteString.copyFromUtf8(handle)));
        if (partition != 0) {
            r.setPartition(partition);
        }
        return r.build().toByteArray();
    }

    private static String contents(byte[] answer) throws Exception {
        return Response.parseFrom(answer).getGetContents().getContents().toStringUtf8();
    }

    private static List<Request> reads(FakeReplica r) {
        return r.received.stream().filter(q -> q.getBodyCase() == Request.BodyCase.GET_CONTENTS).toList();
    }

    private record Cell(FakeReplica a, FakeReplica b, MasterChannel channel) {
    }

    private Cell partitioned() throws Exception {
        FakeReplica a = closer.replica(1);
        FakeReplica b = closer.replica(2);
        for (FakeReplica r : List.of(a, b)) {
            r.on(Request.BodyCase.MASTER_LOCATION, x -> x.reply(Response.newBuilder().setMasterLocation(map(a, b, 4))));
        }
        a.files.put("h", "on a".getBytes(StandardCharsets.UTF_8));
        b.files.put("h", "on b".getBytes(StandardCharsets.UTF_8));
        return new Cell(a, b, closer.client(ChubbyClient.openChannel(FakeReplica.options(a, b))));
    }

    @Test
    void eachRawCallGoesToItsPartitionsMaster() throws Exception {
        Cell c = partitioned();
        MasterChannel ch = c.channel();
        // the first call names partition 3 before the channel knows the map: it waits for partition 0's location
        assertEquals("on b", contents(ch.call(read("h", 3), MasterChannel.Retry.IDEMPOTENT).get(5, TimeUnit.SECONDS)));
        assertEquals("on a", contents(ch.call(read("h", 2), MasterChannel.Retry.IDEMPOTENT).get(5, TimeUnit.SECONDS)));
        assertEquals("on b", contents(ch.callDirect(read("h", 1), MasterChannel.Retry.IDEMPOTENT,
                java.time.Duration.ofSeconds(3)).get(5, TimeUnit.SECONDS)));
        assertEquals("on a", contents(ch.call(read("h", 0), MasterChannel.Retry.IDEMPOTENT).get(5, TimeUnit.SECONDS)));
        assertEquals(List.of(2, 0), reads(c.a()).stream().map(Request::getPartition).toList(), "A: partitions 2 and 0");
        assertEquals(List.of(3, 1), reads(c.b()).stream().map(Request::getPartition).toList(), "B: partitions 3 and 1");
        assertEquals(1, c.a().sockets.size(), "one connection to A for partitions 0 and 2");
        assertEquals(1, c.b().sockets.size(), "one connection to B for partitions 1 and 3");
    }

    @Test
    void aPartitionThatMovedIsFollowedAndTheOthersStay() throws Exception {
        Cell c = partitioned();
        MasterChannel ch = c.channel();
        assertEquals("on b", contents(ch.call(read("h", 3), MasterChannel.Retry.IDEMPOTENT).get(5, TimeUnit.SECONDS)));
        // partition 3 moves to A at epoch 2: B refuses naming it, the call goes on at A
        c.b().on(Request.BodyCase.GET_CONTENTS, x -> {
            if (x.request.getPartition() == 3) {
                x.reply(Response.newBuilder().setError(io.chubby.protocol.Error.newBuilder()
                        .setCode(ErrorCode.NOT_MASTER.wire()).setMessage("not partition 3's master"))
                        .setMaster(map(c.a(), c.b(), 4, 3).toBuilder().setPartition(3)
                                .setMasterId(c.a().id).setMasterAddress(c.a().address()).setEpoch(2)));
            } else {
                c.b().standard(x);
            }
        });
        assertEquals("on a", contents(ch.call(read("h", 3), MasterChannel.Retry.IDEMPOTENT).get(5, TimeUnit.SECONDS)));
        assertEquals("on b", contents(ch.call(read("h", 1), MasterChannel.Retry.IDEMPOTENT).get(5, TimeUnit.SECONDS)),
                "partition 1 stays at B");
        assertEquals(List.of(3), reads(c.a()).stream().map(Request::getPartition).toList());
    }

    @Test
    void relocatingOnePartitionLeavesTheSharedConnectionToTheOthers() throws Exception {
        Cell c = partitioned();
        MasterChannel ch = c.channel();
        assertEquals("on b", contents(ch.call(read("h", 1), MasterChannel.Retry.IDEMPOTENT).get(5, TimeUnit.SECONDS)));
        assertEquals("on b", contents(ch.call(read("h", 3), MasterChannel.Retry.IDEMPOTENT).get(5, TimeUnit.SECONDS)));
        ch.relocate(3); // partition 3 gives up its hold on B's connection; partition 1 still holds it
        ch.relocate(2); // never called: nothing to give up
        assertEquals("on b", contents(ch.call(read("h", 1), MasterChannel.Retry.IDEMPOTENT).get(5, TimeUnit.SECONDS)));
        assertEquals("on b", contents(ch.call(read("h", 3), MasterChannel.Retry.IDEMPOTENT).get(5, TimeUnit.SECONDS)));
        assertEquals(1, c.b().sockets.size(), "B's one connection stayed open for partition 1 and was taken again by 3");
        assertEquals(List.of(1, 3, 1, 3), reads(c.b()).stream().map(Request::getPartition).toList());
    }

    @Test
    void aPartitionTheCellDoesNotHaveIsRefusedUnsent() throws Exception {
        Cell c = partitioned();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> c.channel().call(read("h", 4), MasterChannel.Retry.AT_MOST_ONCE).get(5, TimeUnit.SECONDS));
        ChubbyException refused = assertInstanceOf(ChubbyException.class, e.getCause());
        assertEquals(ErrorCode.CELL_UNAVAILABLE, refused.code());
        assertTrue(refused.getMessage().contains("routed to partition 4, but the cell has 4 partitions"),
                refused.getMessage());
        assertEquals(List.of(), reads(c.a()));
        assertEquals(List.of(), reads(c.b()));
    }

    @Test
    void aCellOfOnePartitionTakesPartitionZeroOnly() throws Exception {
        FakeReplica one = closer.replica(1);
        one.files.put("h", "here".getBytes(StandardCharsets.UTF_8));
        MasterChannel ch = closer.client(ChubbyClient.openChannel(FakeReplica.options(one)));
        assertEquals("here", contents(ch.call(read("h", 0), MasterChannel.Retry.IDEMPOTENT).get(5, TimeUnit.SECONDS)));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> ch.call(read("h", 1), MasterChannel.Retry.IDEMPOTENT).get(5, TimeUnit.SECONDS));
        assertEquals(ErrorCode.CELL_UNAVAILABLE, ((ChubbyException) e.getCause()).code());
        assertTrue(e.getCause().getMessage().contains("the cell has 1 partition "), e.getCause().getMessage());
        assertEquals(1, reads(one).size(), "the call of partition 1 was not sent");
    }

    @Test
    void thePartitionIsReadWithoutDecodingTheRest() {
        assertEquals(3, RequestPartition.of(read("h", 3)));
        assertEquals(0, RequestPartition.of(read("h", 0)));
        byte[] twice = Request.newBuilder().setPartition(1).build().toByteArray();
        byte[] both = new byte[twice.length + read("h", 2).length];
        System.arraycopy(twice, 0, both, 0, twice.length);
        System.arraycopy(read("h", 2), 0, both, twice.length, both.length - twice.length);
        assertEquals(2, RequestPartition.of(both), "the last value, as a parser takes it");
        assertEquals(0, RequestPartition.of(new byte[] {(byte) 0xff}), "not a Request: partition 0 says what is wrong");
    }
}
