package io.chubby.cell.internal;

import static io.chubby.cell.internal.TestClient.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.chubby.api.ErrorCode;
import io.chubby.cell.internal.replica.CellSettings;
import io.chubby.protocol.AcquireRequest;
import io.chubby.protocol.Create;
import io.chubby.protocol.GetContentsRequest;
import io.chubby.protocol.GetSequencerRequest;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.ReadDirRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetAclRequest;
import io.chubby.protocol.SetContentsRequest;
import io.chubby.testkit.FakeConsensus;
import io.chubby.testkit.MemoryStateStore;
import io.chubby.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: every error that names a node names it absolutely, {@code /ls/<cell>/...}, the way
 * clients name nodes, never by its cell-relative key ({@code /d}): calls on handles (whose token
 * holds the cell-relative key) as well as Open. (The Java client then shows the cell part as the
 * caller wrote it, e.g. {@code local}.)
 */
class ErrorPathsTest {
    private static final int R = 1;
    private static final int RW = 3;
    private final CellSettings settings = new CellSettings("c", 16, 12_000, 60_000, 1_000, 0);
    private CellServer server;
    private TestClient client;

    @BeforeEach
    void start() {
        server = new CellServer(new FakeConsensus(), new MemoryStateStore(), settings, new MutableClock());
        server.start();
        client = new TestClient(server);
        client.createSession();
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void errorsOnHandlesNameTheNodeAbsolutely() {
        ByteString dir = client.handle("/ls/local/d", RW, Create.CREATE_MUST, true, false, null);
        ByteString file = client.handle("/ls/local/d/f", RW, Create.CREATE_MUST, false, false, "x");
        ByteString readOnly = client.handle("/ls/local/d/f", R, Create.CREATE_NO, false, false, null);

        message(ErrorCode.IS_A_DIRECTORY, "/ls/c/d is a directory: it has no contents",
                Request.newBuilder().setGetContents(GetContentsRequest.newBuilder().setHandle(dir)));
        message(ErrorCode.NOT_A_DIRECTORY, "/ls/c/d/f is a file, not a directory",
                Request.newBuilder().setReadDir(ReadDirRequest.newBuilder().setHandle(file)));
        message(ErrorCode.CAS_MISMATCH, "/ls/c/d/f is at content generation 1, not 7",
                Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(file)
                        .setContents(ByteString.copyFromUtf8("y")).setCas(true).setExpectedGeneration(7)));
        message(ErrorCode.PERMISSION_DENIED, "was not opened for writing",
                Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(readOnly)
                        .setContents(ByteString.copyFromUtf8("y"))), "/ls/c/d/f");
        message(ErrorCode.PERMISSION_DENIED, "was not opened for change-ACL",
                Request.newBuilder().setSetAcl(SetAclRequest.newBuilder().setHandle(readOnly)), "/ls/c/d/f");
        message(ErrorCode.TOO_LARGE, "contents of /ls/c/d/f are 17 bytes",
                Request.newBuilder().setSetContents(SetContentsRequest.newBuilder().setHandle(file)
                        .setContents(ByteString.copyFromUtf8("x".repeat(17)))));
        message(ErrorCode.PERMISSION_DENIED, "locking needs WRITE",
                Request.newBuilder().setAcquire(AcquireRequest.newBuilder().setHandle(readOnly).setTryOnly(true)),
                "/ls/c/d/f");
        message(ErrorCode.INVALID_ARGUMENT, "does not hold the lock on /ls/c/d/f",
                Request.newBuilder().setGetSequencer(GetSequencerRequest.newBuilder().setHandle(file)));
        message(ErrorCode.NOT_A_DIRECTORY, "/ls/c/d/f is a file: cannot open relative to it",
                Request.newBuilder().setOpen(OpenRequest.newBuilder().setDirHandle(file).setPath("g").setModeBits(R)));
        message(ErrorCode.NO_SUCH_NODE, "/ls/c/d/none does not exist",
                Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath("/ls/local/d/none").setModeBits(R)));
    }

    private void message(ErrorCode code, String expected, Request.Builder call, String... alsoNamed) {
        Response r = client.call(call);
        assertError(code, r);
        String m = r.getError().getMessage();
        assertTrue(m.contains(expected), () -> code + ": " + m);
        for (String path : alsoNamed) {
            assertTrue(m.contains(path), () -> code + " names " + path + ": " + m);
        }
        assertEquals(-1, m.indexOf(" /d"), () -> "no cell-relative path: " + m);
    }
}
