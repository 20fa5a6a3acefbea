package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chubby.api.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * {@link FileApiBehaviour} on a one-replica cell of real processes, plus the exit codes of
 * {@code bin/chubby --cell ...} for server errors (and CELL_UNAVAILABLE for a cell that does not
 * answer), each with one stderr line.
 */
class FileApiOneReplicaIT extends WireProtocolBehaviour {
    @Override
    int replicas() {
        return 1;
    }

    @Test
    @Order(300)
    void cliExitCodesNameTheError() {
        String d = dir("cli");
        client.mkdir(d + "/full");
        client.write(d + "/full/f", "v".getBytes(StandardCharsets.UTF_8));
        exits(ErrorCode.NO_SUCH_NODE, "cat", d + "/missing");
        exits(ErrorCode.EXISTS, "mkdir", d + "/full");
        exits(ErrorCode.NOT_A_DIRECTORY, "put", d + "/full/f/child", "x");
        exits(ErrorCode.NOT_EMPTY, "rm", d + "/full");
        exits(ErrorCode.CAS_MISMATCH, "put", "--cas", "999999", d + "/full/f", "x");
        exits(ErrorCode.INVALID_ARGUMENT, "cat", d + "/bad*char");
        assertEquals("v", new String(client.read(d + "/full/f"), StandardCharsets.UTF_8), "nothing changed");

        LocalCell.Run down = cell.chubby(null, "--cell", "127.0.0.1:" + deadPort(), "--timeout", "2", "cat", d + "/full/f");
        assertEquals(ErrorCode.CELL_UNAVAILABLE.exitCode(), down.exit(), down::toString);
        assertEquals(1, down.errLines().size(), down::toString);
    }

    private void exits(ErrorCode code, String... args) {
        String[] withCell = new String[args.length + 2];
        withCell[0] = "--cell";
        withCell[1] = cell.cellSpec();
        System.arraycopy(args, 0, withCell, 2, args.length);
        LocalCell.Run r = cell.chubby(null, withCell);
        assertEquals(code.exitCode(), r.exit(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
    }

    /** A loopback port nobody listens on (bound once, then released). */
    private static int deadPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
