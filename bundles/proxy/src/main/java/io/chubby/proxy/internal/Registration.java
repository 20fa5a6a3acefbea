package io.chubby.proxy.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.MasterChannel;
import io.chubby.protocol.CloseRequest;
import io.chubby.protocol.Create;
import io.chubby.protocol.DeleteRequest;
import io.chubby.protocol.OpenRequest;
import io.chubby.protocol.Request;
import io.chubby.protocol.Response;
import io.chubby.protocol.SetContentsRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy makes itself known to the cell: an ephemeral file {@code /ls/<cell>/proxies/<name>}
 * (name: the advertised {@code host:port} with {@code :} as {@code _}) held open by the proxy's
 * own (cache) session, so it lives exactly as long as that session. Contents: {@code key=value}
 * lines naming the proxy ({@link #contents}); how busy it is is read live from its Status, so the
 * file is written once per session and never rewritten (bundles/proxy README, "Registration").
 *
 * <p>{@link #register} is called for every new own session (the first, and each one made after
 * the master ended the previous); a failed attempt is retried with backoff while that session is
 * current. A cell whose ACLs refuse the proxy gets one warning and the proxy keeps serving (asked
 * again every {@link #DENIED_RETRY_MS}, quietly). {@link #withdraw} deletes the file on a clean stop.
 *
 * <p>Threads: {@code register} and the retries run on any thread; the state is guarded by this
 * object's monitor, and an attempt's steps run on the channel's callback threads.
 */
final class Registration {
    private static final Logger LOG = LoggerFactory.getLogger(Registration.class);
    /** The directory under {@code /ls/<cell>} that lists the proxies. */
    static final String DIRECTORY = "proxies";
    private static final int READ = 1;
    private static final int WRITE = 2;
    private static final long FIRST_RETRY_MS = 500;
    private static final long MAX_RETRY_MS = 15_000;
    static final long DENIED_RETRY_MS = 60_000;

    private final MasterChannel channel;
    private final ScheduledExecutorService timer;
    private final String advertise;
    private final Duration callTimeout;
    private final byte[] contents;
    /** The session the file belongs to (0: none yet); a newer session makes older attempts moot. */
    private long session;
    private String path;
    private ByteString handle;
    private long retryMs = FIRST_RETRY_MS;
    /** A refusal was logged (once per refusal streak: a registration that succeeds resets it). */
    private boolean deniedLogged;
    private boolean withdrawn;

    Registration(MasterChannel channel, ScheduledExecutorService timer, String advertise, Duration callTimeout,
                 String version, Instant started) {
        this.channel = channel;
        this.timer = timer;
        this.advertise = advertise;
        this.callTimeout = callTimeout;
        this.contents = contents(advertise, ProcessHandle.current().pid(), started, version)
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The file's name under {@code proxies/}: the address with every character a name may not hold as {@code _}. */
    static String fileName(String advertise) {
        return advertise.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** The file's text: {@code key=value} lines, {@code address} first (what the DNS bridge and the CLI read). */
    static String contents(String advertise, long pid, Instant started, String version) {
        return "address=" + advertise + "\npid=" + pid + "\nstarted=" + started + "\nversion=" + version + "\n";
    }

    /** The registration's path in cell {@code cell}. */
    static String path(String cell, String advertise) {
        return "/ls/" + cell + "/" + DIRECTORY + "/" + fileName(advertise);
    }

    /** A new own session exists: make the file again, held by it. */
    void register(long ownSession, String cell) {
        synchronized (this) {
            if (withdrawn || ownSession == session) {
                return;
            }
            session = ownSession;
            path = path(cell, advertise);
            handle = null;
            retryMs = FIRST_RETRY_MS;
        }
        attempt(ownSession, cell);
    }

    /** Whether the file is held now (tests, logs). */
    synchronized boolean registered() {
        return handle != null;
    }

    private void attempt(long ownSession, String cell) {
        String dir = "/ls/" + cell + "/" + DIRECTORY;
        String file = path(cell, advertise);
        call(ownSession, Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(dir).setModeBits(READ)
                .setCreate(Create.CREATE_MAY).setDirectory(true)))
                .thenCompose(d -> call(ownSession, Request.newBuilder().setClose(CloseRequest.newBuilder()
                        .setHandle(d.getOpen().getHandle()))))
                .thenCompose(closed -> call(ownSession, Request.newBuilder().setOpen(OpenRequest.newBuilder()
                        .setPath(file).setModeBits(READ | WRITE).setCreate(Create.CREATE_MAY).setEphemeral(true)
                        .setInitialContents(ByteString.copyFrom(contents)))))
                .thenCompose(opened -> opened.getOpen().getCreated() ? CompletableFuture.completedFuture(opened)
                        : !opened.getOpen().getStat().getEphemeral() ? CompletableFuture.failedFuture(
                                new ChubbyException(ErrorCode.EXISTS, file + " exists and is a permanent file"))
                        // the name was held by an earlier session of ours (not reaped yet): it is ours now too
                        : call(ownSession, Request.newBuilder().setSetContents(SetContentsRequest.newBuilder()
                        .setHandle(opened.getOpen().getHandle()).setContents(ByteString.copyFrom(contents))))
                        .thenApply(written -> opened))
                .whenComplete((opened, err) -> {
                    if (err == null) {
                        held(ownSession, file, opened.getOpen().getHandle());
                    } else {
                        failed(ownSession, cell, file, err);
                    }
                });
    }

    private void held(long ownSession, String file, ByteString h) {
        synchronized (this) {
            if (withdrawn) {
                // stopped while it was being made: delete it if the channel still carries a call
                call(ownSession, Request.newBuilder().setDelete(DeleteRequest.newBuilder().setHandle(h)));
                return;
            }
            if (ownSession != session) {
                return; // superseded: the file goes with that session
            }
            handle = h;
            deniedLogged = false;
        }
        LOG.info("proxy registered as {} (ephemeral, held by session {})", file, ownSession);
    }

    private void failed(long ownSession, String cell, String file, Throwable err) {
        ChubbyException e = cause(err);
        long delay;
        synchronized (this) {
            if (ownSession != session || withdrawn) {
                return;
            }
            if (e != null && e.code() == ErrorCode.SESSION_EXPIRED) {
                return; // the master ended the session: the next one registers again
            }
            if (e != null && refused(e.code())) {
                if (!deniedLogged) {
                    deniedLogged = true;
                    LOG.warn("proxy not registered: the cell refused {} ({}: {}); it keeps serving clients, but"
                            + " chubby cell status and the DNS bridge will not list it (grant its principal write"
                            + " access to /ls/{}/{}, or remove what is in the way); asked again every {} s quietly",
                            file, e.code(), e.getMessage(), cell, DIRECTORY, DENIED_RETRY_MS / 1000);
                }
                delay = DENIED_RETRY_MS;
            } else {
                delay = retryMs;
                retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
                LOG.info("proxy registration {} failed, again in {} ms: {}", file, delay,
                        e != null ? e.getMessage() : String.valueOf(err));
            }
        }
        try {
            timer.schedule(() -> {
                synchronized (this) {
                    if (ownSession != session || withdrawn) {
                        return;
                    }
                }
                attempt(ownSession, cell);
            }, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // the proxy is closing
        }
    }

    /**
     * A clean stop: deletes the file at once (its session is not closed here, so without this the
     * file would stay until that session's lease ran out). Waits at most {@code wait}.
     */
    void withdraw(Duration wait) {
        long s;
        ByteString h;
        String file;
        synchronized (this) {
            withdrawn = true;
            s = session;
            h = handle;
            file = path;
            handle = null;
        }
        if (h == null) {
            return;
        }
        CompletableFuture<Response> deleted = call(s, Request.newBuilder().setDelete(DeleteRequest.newBuilder()
                .setHandle(h)))
                // a handle of an earlier master may be refused: delete through a fresh one
                .exceptionallyCompose(err -> call(s, Request.newBuilder().setOpen(OpenRequest.newBuilder().setPath(file)
                        .setModeBits(WRITE)))
                        .thenCompose(o -> call(s, Request.newBuilder().setDelete(DeleteRequest.newBuilder()
                                .setHandle(o.getOpen().getHandle())))));
        try {
            deleted.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("proxy registration {} deleted", file);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("proxy registration {} not deleted ({}); it goes when session {} ends", file,
                    e instanceof TimeoutException ? "no answer in " + wait.toMillis() + " ms" : e.getCause(), s);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One call in the proxy's own session; an error answer fails the future with its ChubbyException. */
    private CompletableFuture<Response> call(long ownSession, Request.Builder req) {
        return channel.call(req.setSessionId(ownSession).build().toByteArray(), MasterChannel.Retry.IDEMPOTENT,
                callTimeout).thenApply(bytes -> {
                    Response r;
                    try {
                        r = Response.parseFrom(bytes);
                    } catch (InvalidProtocolBufferException e) {
                        throw new ChubbyException(ErrorCode.PROTOCOL_ERROR, "undecodable answer: " + e.getMessage());
                    }
                    if (r.hasError()) {
                        throw new ChubbyException(ErrorCode.fromWire(r.getError().getCode()), r.getError().getMessage());
                    }
                    return r;
                });
    }

    /** Answers a retry soon will not change: the cell's ACLs, or a node of someone else's in the way. */
    private static boolean refused(ErrorCode code) {
        return code == ErrorCode.PERMISSION_DENIED || code == ErrorCode.EXISTS || code == ErrorCode.NOT_A_DIRECTORY
                || code == ErrorCode.IS_A_DIRECTORY;
    }

    private static ChubbyException cause(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c instanceof ChubbyException e ? e : null;
    }
}
