package io.chubby.cell.internal;

import static io.chubby.cell.internal.TestClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.api.NodePath;
import io.chubby.protocol.AcquireRequest;
import io.chubby.protocol.CheckSequencerRequest;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.GetSequencerRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetSequencerRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SetSequencer across partitions (docs/PARTITIONING.md section 2): a fence is checked where the
 * handle's calls are applied, so a sequencer whose lock lives in another partition than the
 * handle's node is refused INVALID_ARGUMENT naming both partitions, nothing applied; a sequencer
 * of the handle's own partition still fences; CheckSequencer reaching the wrong partition says
 * where the lock lives instead of "no longer exists".
 */
class ForeignSequencerTest {
    private final TwoGroups two = new TwoGroups();
    private String dir;
    private int c;
    private int h;
    private TestClient inC;
    private TestClient inH;

    @BeforeEach
    void start() throws Exception {
        two.start();
        dir = TwoGroups.crossingDirectory("d");
        c = TwoGroups.TWO.partitionOf(NodePath.parse(dir));
        h = TwoGroups.TWO.partitionOfChildren(NodePath.parse(dir));
        assertNotEquals(c, h);
        inC = new TestClient(two.master(c));
        inH = new TestClient(two.master(h));
        inC.createSession();
        inH.createSession();
        Response made = inC.callAcross(TwoGroups.open(dir, true), () -> two.tick(4));
        assertFalse(made.hasError(), () -> made.getError().toString());
    }

    @AfterEach
    void stop() {
        two.stop();
    }

    /** Opens {@code path} in the client's group, takes its lock and returns the lock's sequencer. */
    private static ByteString lockedSequencer(TestClient client, String path) {
        ByteString lock = client.ok(TwoGroups.open(path, false)).getOpen().getHandle();
        client.ok(Request.newBuilder().setAcquire(AcquireRequest.newBuilder().setHandle(lock).setTryOnly(true)));
        return client.ok(Request.newBuilder().setGetSequencer(GetSequencerRequest.newBuilder().setHandle(lock)))
                .getSequencer().getSequencer();
    }

    private static Request.Builder setSequencer(ByteString handle, ByteString sequencer) {
        return Request.newBuilder().setSetSequencer(SetSequencerRequest.newBuilder().setHandle(handle)
                .setSequencer(sequencer));
    }

    @Test
    void aSequencerOfAnotherPartitionsLockIsRefusedNamingBothPartitions() {
        ByteString foreign = lockedSequencer(inH, dir + "/lock");
        ByteString data = inC.ok(TwoGroups.open("/ls/c/data", false)).getOpen().getHandle();
        long applied = TwoGroups.stateOf(two.master(c)).appliedIndex();

        Response r = inC.call(setSequencer(data, foreign));
        assertError(ErrorCode.INVALID_ARGUMENT, r);
        String why = r.getError().getMessage();
        assertTrue(why.contains(dir + "/lock (partition " + h + ")"), why);
        assertTrue(why.contains("/ls/c/data (partition " + c + ")"), why);
        assertTrue(why.contains("put the lock beside the data"), why);
        assertEquals(applied, TwoGroups.stateOf(two.master(c)).appliedIndex(), "nothing proposed");
        assertNull(TwoGroups.stateOf(two.master(c)).locks().sequencerOf(
                TwoGroups.stateOf(two.master(c)).checkHandle(data.toByteArray(), inC.session).handleId()));
        inC.ok(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(data)));
    }

    @Test
    void aSequencerOfTheHandlesOwnPartitionStillFences() {
        ByteString own = lockedSequencer(inH, dir + "/lock");
        ByteString data = inH.ok(TwoGroups.open(dir + "/data", false)).getOpen().getHandle();
        inH.ok(setSequencer(data, own));
        inH.ok(Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(data)));
    }

    @Test
    void checkSequencerAtTheWrongPartitionSaysWhereTheLockLives() {
        ByteString foreign = lockedSequencer(inH, dir + "/lock");
        Response atC = inC.ok(Request.newBuilder().setCheckSequencer(
                CheckSequencerRequest.newBuilder().setSequencer(foreign)));
        assertFalse(atC.getCheckSequencer().getValid());
        assertTrue(atC.getCheckSequencer().getReason().contains("lives in partition " + h + ", not in partition " + c),
                atC.getCheckSequencer().getReason());
        Response atH = inH.ok(Request.newBuilder().setCheckSequencer(
                CheckSequencerRequest.newBuilder().setSequencer(foreign)));
        assertTrue(atH.getCheckSequencer().getValid(), atH.getCheckSequencer().getReason());
    }
}
