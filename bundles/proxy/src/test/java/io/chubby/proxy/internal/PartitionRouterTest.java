package io.chubby.proxy.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.api.ErrorCode;
import io.chubby.client.MasterChannel;
import io.chubby.protocol.GetContentsReply;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.PartitionMaster;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.spi.ClientConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * What the proxy passes back from a partitioned cell: answers as they came (with the client's call
 * id), and a location an answer carries (WRONG_PARTITION's map) with the proxy as every master, so
 * the client routes again through the proxy.
 */
class PartitionRouterTest {
    private static final String PROXY = "proxy:7000";

    /** The cell's map of 4 partitions: p mastered by replica 1 + p % 2 at epoch 5 + p, partition 3 without a master. */
    private static MasterLocation cellMap() {
        MasterLocation.Builder m = MasterLocation.newBuilder().setCell("c").setPartitions(4).setPartitionHash("fnv1a64-v1")
                .addReplicas("r1:1").addReplicas("r2:1").setMasterId(1).setMasterAddress("r1:1").setEpoch(5)
                .setPartition(2);
        for (int p = 0; p < 4; p++) {
            PartitionMaster.Builder pm = PartitionMaster.newBuilder().setPartition(p).setEpoch(5 + p);
            if (p < 3) {
                pm.setMasterId(1 + p % 2).setMasterAddress("r" + (1 + p % 2) + ":1");
            }
            m.addPartitionMasters(pm);
        }
        return m.build();
    }

    /** The upstream: answers every call with {@code answer}, recording what it was sent. */
    private static final class Upstream implements MasterChannel {
        final List<Request> sent = new ArrayList<>();
        final byte[] answer;

        Upstream(Response answer) {
            this(answer.toByteArray());
        }

        Upstream(byte[] answer) {
            this.answer = answer;
        }

        @Override
        public CompletableFuture<byte[]> call(byte[] request, Retry retry) {
            return call(request, retry, Duration.ofSeconds(1));
        }

        @Override
        public CompletableFuture<byte[]> call(byte[] request, Retry retry, Duration timeout) {
            try {
                sent.add(Request.parseFrom(request));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return CompletableFuture.completedFuture(answer);
        }

        @Override
        public long epoch() {
            return 5;
        }

        @Override
        public Optional<String> masterAddress() {
            return Optional.of("r1:1");
        }

        @Override
        public void relocate() {
        }

        @Override
        public void close() {
        }
    }

    /** A client connection keeping what it was sent. */
    private static final class Client implements ClientConnection {
        final List<Response> got = new ArrayList<>();

        @Override
        public long id() {
            return 1;
        }

        @Override
        public String remoteAddress() {
            return "client:1";
        }

        @Override
        public void send(byte[] message) {
            try {
                got.add(Response.parseFrom(message));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void close(String reason) {
        }

        @Override
        public boolean isOpen() {
            return true;
        }
    }

    private static Request read(int partition) {
        return Request.newBuilder().setCallId(42).setSessionId(9).setPartition(partition)
                .setGetContents(GetContentsRequest.getDefaultInstance()).build();
    }

    @Test
    void aWrongPartitionComesBackWithTheProxyAsEveryMaster() {
        Upstream cell = new Upstream(Response.newBuilder().setCallId(900).setError(io.chubby.protocol.Error.newBuilder()
                .setCode(ErrorCode.WRONG_PARTITION.wire()).setMessage("the node is partition 2's")).setMaster(cellMap())
                .build());
        PartitionRouter router = new PartitionRouter(cell, PROXY);
        Client client = new Client();
        router.pass(client, read(1), read(1).toByteArray(), MasterChannel.Retry.IDEMPOTENT, Duration.ofSeconds(1));

        assertEquals(1, cell.sent.get(0).getPartition(), "the partition went on untouched");
        Response r = client.got.get(0);
        assertEquals(42, r.getCallId());
        assertEquals(ErrorCode.WRONG_PARTITION.wire(), r.getError().getCode());
        MasterLocation m = r.getMaster();
        assertEquals(List.of(PROXY), m.getReplicasList());
        assertEquals(PROXY, m.getMasterAddress());
        assertEquals(List.of(PROXY, PROXY, PROXY, ""), m.getPartitionMastersList().stream()
                .map(PartitionMaster::getMasterAddress).toList(), "partition 3 has no master: none named");
        assertEquals(List.of(1, 2, 1, 0), m.getPartitionMastersList().stream().map(PartitionMaster::getMasterId).toList());
        assertEquals(List.of(5L, 6L, 7L, 8L), m.getPartitionMastersList().stream().map(PartitionMaster::getEpoch).toList());
        assertEquals(4, m.getPartitions());
        assertEquals(2, m.getPartition());
        assertEquals(1, router.wrongPartitions());
        assertEquals("p1=1", router.perPartition());
    }

    @Test
    void anAnswerWithoutALocationComesBackAsItCame() {
        Response ok = Response.newBuilder().setCallId(900).setGetContents(GetContentsReply.newBuilder()
                .setContents(com.google.protobuf.ByteString.copyFromUtf8("x"))).build();
        PartitionRouter router = new PartitionRouter(new Upstream(ok), PROXY);
        Client client = new Client();
        router.pass(client, read(3), read(3).toByteArray(), MasterChannel.Retry.IDEMPOTENT, Duration.ofSeconds(1));
        assertEquals(ok.toBuilder().setCallId(42).build(), client.got.get(0));
        assertEquals(0, router.wrongPartitions());
    }

    @Test
    void anUndecodableAnswerComesBackAsAProtocolError() {
        Upstream cell = new Upstream(new byte[] {0x0a, 0x05}); // a field cut short
        Client client = new Client();
        new PartitionRouter(cell, PROXY).pass(client, read(1), read(1).toByteArray(), MasterChannel.Retry.IDEMPOTENT,
                Duration.ofSeconds(1));
        assertEquals(42, client.got.get(0).getCallId());
        assertEquals(ErrorCode.PROTOCOL_ERROR.wire(), client.got.get(0).getError().getCode());
    }
}
