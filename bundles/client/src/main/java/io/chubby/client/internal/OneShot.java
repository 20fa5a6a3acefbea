package io.chubby.client.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.MasterInfo;
import io.chubby.client.AdminResult;
import io.chubby.client.ClientOptions;
import io.chubby.client.ClientSecurity;
import io.chubby.client.Identity;
import io.chubby.client.ReplicaStatus;
import io.chubby.protocol.AdminRequest;
import io.chubby.protocol.MasterLocationRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.StatusRequest;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.mina.transport.socket.nio.NioSocketConnector;

/**
 * Calls to one named replica outside any session (status, admin, master location): connect,
 * handshake, one request, disconnect. Each call uses its own short-lived connector and timer.
 */
public final class OneShot {
    private OneShot() {
    }

    public static ReplicaStatus status(String address, Duration timeout, ClientSecurity security) {
        return run(address, timeout, security, Request.newBuilder().setStatus(StatusRequest.getDefaultInstance()),
                Response::hasStatus, r -> Wire.status(r.getStatus()));
    }

    public static AdminResult admin(String address, String commandLine, Duration timeout, ClientSecurity security) {
        return run(address, timeout, security,
                Request.newBuilder().setAdmin(AdminRequest.newBuilder().setCommandLine(commandLine)),
                Response::hasAdmin, r -> new AdminResult(r.getAdmin().getStatus(), r.getAdmin().getOutput()));
    }

    public static MasterInfo masterLocation(String address, Duration timeout, ClientSecurity security) {
        return run(address, timeout, security,
                Request.newBuilder().setMasterLocation(MasterLocationRequest.getDefaultInstance()),
                Response::hasMasterLocation, r -> Wire.masterInfo(r.getMasterLocation()));
    }

    /** Who the replica takes this client to be: the Hello alone, no request, no session. */
    public static Identity whoami(String address, Duration timeout, ClientSecurity security) {
        return run(address, timeout, security, null, r -> true, null);
    }

    @SuppressWarnings("unchecked")
    private static <T> T run(String address, Duration timeout, ClientSecurity security, Request.Builder body,
                             Predicate<Response> has, Function<Response, T> map) {
        ClientOptions.parseAddress(address);
        long ms = Math.max(1, timeout.toMillis());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        ScheduledThreadPoolExecutor timer = Futures.timer("chubby-oneshot-timer");
        NioSocketConnector connector = Connection.newConnector(ms, security);
        Connection conn = null;
        try {
            conn = Connection.open(connector, address, "chubby-oneshot", security, ms, timer).get();
            if (body == null) {
                return (T) conn.identity();
            }
            long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            Response r = conn.call(1, 0, body.build().toByteArray(), left).get().response();
            if (r.hasError()) {
                throw Wire.error(r);
            }
            if (!has.test(r)) {
                throw new ChubbyException(ErrorCode.PROTOCOL_ERROR, "replica " + address + " answered "
                        + body.getBodyCase() + " with " + r.getBodyCase());
            }
            return map.apply(r);
        } catch (ExecutionException e) {
            if (Futures.unwrap(e) instanceof ChubbyException refused) {
                throw new ChubbyException(refused.code(), refused.detail(), refused); // the Hello was refused
            }
            throw new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "replica " + address + " did not answer: "
                    + Futures.describe(e), Futures.unwrap(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChubbyException(ErrorCode.CANCELLED, "interrupted while asking " + address, e);
        } finally {
            if (conn != null) {
                conn.close();
            }
            connector.dispose(false);
            timer.shutdownNow();
        }
    }
}
