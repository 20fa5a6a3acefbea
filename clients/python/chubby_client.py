"""A small Chubby client in Python, written from the published protocol only.

It speaks the client protocol of docs/PROTOCOL.md with the message classes protoc generates from
bundles/protocol/src/main/proto/client.proto (Debian: python3-protobuf, protobuf-compiler). The
generated module is not kept in the repository: load_protocol() runs protoc when client_pb2.py is
missing or older than client.proto.

What it does (and what it leaves out):
- one TCP connection to the master, several calls in flight on it, answers matched by call_id;
- finds the master with MasterLocation and follows NOT_MASTER / WRONG_EPOCH to it, retries
  CELL_UNAVAILABLE, never repeats a write whose outcome is unknown (OutcomeUnknown);
- one session with a KeepAlive always held by the master, acknowledging every invalidation,
  event and failover on the next KeepAlive (the duties of docs/PROTOCOL.md);
- files, directories, compare-and-swap, locks and sequencers through Handle;
- no cache: it never serves a read itself, so acknowledging an invalidation needs no work.
"""

import importlib
import os
import queue
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, TimeoutError as FutureTimeout

from google.protobuf.message import DecodeError

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PROTO = os.path.join(HERE, "..", "..", "bundles", "protocol", "src", "main", "proto", "client.proto")


def load_protocol(proto=None, out_dir=None):
    """Generates client_pb2 from client.proto (only when stale) and imports it.

    proto: the .proto file (default: $CHUBBY_PROTO, else the repository's client.proto);
    out_dir: where the generated module goes (default: $CHUBBY_PROTO_OUT, else ./build here).
    """
    proto = os.path.abspath(proto or os.environ.get("CHUBBY_PROTO") or DEFAULT_PROTO)
    out_dir = os.path.abspath(out_dir or os.environ.get("CHUBBY_PROTO_OUT") or os.path.join(HERE, "build"))
    generated = os.path.join(out_dir, "client_pb2.py")
    if not os.path.exists(generated) or os.path.getmtime(generated) < os.path.getmtime(proto):
        os.makedirs(out_dir, exist_ok=True)
        # Generate aside and rename, so a concurrent run never imports a half-written module.
        with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
            subprocess.run(["protoc", "-I", os.path.dirname(proto), "--python_out", tmp,
                            os.path.basename(proto)], check=True)
            os.replace(os.path.join(tmp, "client_pb2.py"), generated)
    if out_dir not in sys.path:
        sys.path.insert(0, out_dir)
    return importlib.import_module("client_pb2")


pb = load_protocol()

PROTOCOL_VERSION = 1   # the 2-byte version in every frame, and Hello.protocol_version
READ, WRITE, CHANGE_ACL = 1, 2, 4

# Error.code wire numbers (docs/PROTOCOL.md, "Errors"); not the CLI's exit codes.
ERRORS = {
    1: "NO_SUCH_NODE", 2: "EXISTS", 3: "NOT_A_DIRECTORY", 4: "NOT_EMPTY", 5: "PERMISSION_DENIED",
    6: "BAD_HANDLE", 7: "STALE_SEQUENCER", 8: "SESSION_EXPIRED", 9: "CAS_MISMATCH", 10: "TOO_LARGE",
    11: "NOT_MASTER", 12: "CELL_UNAVAILABLE", 13: "INVALID_ARGUMENT", 14: "IS_A_DIRECTORY",
    15: "WRONG_EPOCH", 16: "CANCELLED", 17: "PROTOCOL_ERROR", 18: "INTERNAL", 19: "OUTCOME_UNKNOWN",
}


class ChubbyError(Exception):
    """A typed error from the cell: `name` (e.g. "CAS_MISMATCH"), `code` (its wire number)."""

    def __init__(self, code, message):
        self.code = code
        self.name = ERRORS.get(code, "UNKNOWN_%d" % code)
        self.message = message
        super().__init__("%s: %s" % (self.name, message))


class OutcomeUnknown(ChubbyError):
    """A write that may or may not have been applied: look at the state before repeating it."""

    def __init__(self, message):
        super().__init__(19, message)


class ConnectionLost(Exception):
    """The connection ended; `sent` says whether the request had been written to it."""

    def __init__(self, message, sent):
        super().__init__(message)
        self.sent = sent


class Connection:
    """One TCP connection: the Hello, then requests answered in any order, matched by call_id.

    A reader thread takes every frame and completes the Future of its call. The socket has no
    read timeout: the master holds a KeepAlive for up to a lease (12 s, up to 60 s under load),
    so callers bound each call instead.
    """

    def __init__(self, address, client_name, connect_timeout=5.0):
        host, port = address.rsplit(":", 1)
        self.address = address
        self._sock = socket.create_connection((host, int(port)), timeout=connect_timeout)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._write_lock = threading.Lock()
        self._lock = threading.Lock()
        self._pending = {}
        self._next_call_id = 1
        self._failure = None
        self._write(pb.Hello(protocol_version=PROTOCOL_VERSION, client_name=client_name))
        self.hello = pb.HelloReply.FromString(self._read_frame())
        if self.hello.HasField("error"):
            self.close()
            raise ChubbyError(self.hello.error.code, self.hello.error.message)
        self._sock.settimeout(None)
        threading.Thread(target=self._read_loop, name="chubby-reader-" + address, daemon=True).start()

    def submit(self, request):
        """Sends `request` (its call_id is set here); returns the Future of its Response."""
        future = Future()
        with self._lock:
            if self._failure is not None:
                raise ConnectionLost(self._failure, sent=False)
            request.call_id = self._next_call_id
            self._next_call_id += 1
            self._pending[request.call_id] = future
        try:
            self._write(request)
        except OSError as e:
            with self._lock:
                self._pending.pop(request.call_id, None)
            self._fail("write failed: %s" % e)
            raise ConnectionLost("%s: write failed: %s" % (self.address, e), sent=False)
        return future

    def call(self, request, timeout):
        """Sends `request` and waits for its Response; ConnectionLost(sent=True) if none comes."""
        future = self.submit(request)
        try:
            return future.result(timeout)
        except FutureTimeout:
            with self._lock:
                self._pending.pop(request.call_id, None)
            raise ConnectionLost("%s: no answer to call %d within %.1f s" % (self.address, request.call_id, timeout),
                                 sent=True)

    @property
    def is_open(self):
        return self._failure is None

    def close(self):
        self._fail("closed")
        try:
            self._sock.close()
        except OSError:
            pass

    def _write(self, message):
        body = message.SerializeToString()
        with self._write_lock:
            self._sock.sendall(struct.pack(">IH", len(body) + 2, PROTOCOL_VERSION) + body)

    def _read_exactly(self, n):
        chunks = []
        while n > 0:
            chunk = self._sock.recv(n)
            if not chunk:
                raise ConnectionError("connection closed by %s" % self.address)
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _read_frame(self):
        length, version = struct.unpack(">IH", self._read_exactly(6))
        if version != PROTOCOL_VERSION:
            raise ConnectionError("frame of protocol version %d from %s" % (version, self.address))
        return self._read_exactly(length - 2)

    def _read_loop(self):
        try:
            while True:
                response = pb.Response.FromString(self._read_frame())
                with self._lock:
                    future = self._pending.pop(response.call_id, None)
                if future is not None:
                    future.set_result(response)
                elif response.call_id == 0 and response.HasField("error"):
                    # The server could not read one of our frames: which call it was is unknown.
                    raise ConnectionError("protocol error from %s: %s" % (self.address, response.error.message))
        except (OSError, DecodeError) as e:
            self._fail(str(e))

    def _fail(self, why):
        with self._lock:
            if self._failure is None:
                self._failure = why
            pending, self._pending = self._pending, {}
        for future in pending.values():
            future.set_exception(ConnectionLost("%s: %s" % (self.address, why), sent=True))


class Client:
    """A session with a cell: `Client(["host:port", ...])`, then `open(...)`; `close()` ends it.

    Events and invalidations the master sends are put on `events` and `invalidations` (queues of
    EventMessage / Invalidation) after they were acknowledged; reading them is optional.
    """

    def __init__(self, replicas, client_name="python-client", call_timeout=10.0):
        self.replicas = list(replicas)
        self.client_name = client_name
        self.call_timeout = call_timeout
        self.events = queue.Queue()
        self.invalidations = queue.Queue()
        self.session_id = 0
        self.epoch = 0
        self.lease_ms = 0
        self.master = None
        self._conn = None
        self._conn_lock = threading.Lock()
        self._closed = threading.Event()
        self.expired = None
        created = self._call(idempotent=True, create_session=pb.CreateSessionRequest(client_name=client_name))
        self.session_id = created.create_session.session_id
        self.epoch = created.create_session.epoch
        self.lease_ms = created.create_session.lease_ms
        self._keep_alive_thread = threading.Thread(target=self._keep_alive_loop, daemon=True,
                                                   name="chubby-keepalive-%d" % self.session_id)
        self._keep_alive_thread.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def hello(self):
        """The HelloReply of the connection to the master (its cell name, replica id, version)."""
        return self._connection().hello

    # ---------------------------------------------------------------- calls

    def open(self, path, mode=READ, create=None, directory=False, ephemeral=False, contents=b"",
             events=(), lock_delay_ms=10_000):
        """Opens `path` (absolute /ls/<cell>/...); create: None, "may" or "must"; events: EventKind names."""
        create_value = {None: pb.CREATE_NO, "may": pb.CREATE_MAY, "must": pb.CREATE_MUST}[create]
        mask = 0
        for name in events:
            mask |= 1 << pb.EventKind.Value(name)
        r = self._call(idempotent=create is None, open=pb.OpenRequest(
            path=path, mode_bits=mode, create=create_value, directory=directory, ephemeral=ephemeral,
            initial_contents=contents, event_mask=mask, lock_delay_ms=lock_delay_ms))
        return Handle(self, path, r.open.handle, r.open.created, r.open.stat)

    def check_sequencer(self, sequencer):
        """(valid, reason) for sequencer bytes from any client of the cell."""
        r = self._call(check_sequencer=pb.CheckSequencerRequest(sequencer=sequencer)).check_sequencer
        return r.valid, r.reason

    def submit(self, **body):
        """Sends one request without waiting (several may be in flight); returns its Future."""
        return self._connection().submit(self._request(body))

    def close(self):
        """Ends the session (CloseSession: its locks are released at once, no lock-delay)."""
        if self._closed.is_set():
            return
        try:
            if self.expired is None:
                self._call(close_session=pb.CloseSessionRequest())
        finally:
            self._closed.set()
            with self._conn_lock:
                if self._conn is not None:
                    self._conn.close()

    # ---------------------------------------------------------------- the retry rules

    def _request(self, body):
        return pb.Request(session_id=self.session_id, epoch=self.epoch, **body)

    def _call(self, idempotent=True, timeout=None, **body):
        """One call with the retry rules of docs/PROTOCOL.md: relocate on NOT_MASTER / WRONG_EPOCH,
        back off on CELL_UNAVAILABLE, repeat only idempotent calls whose outcome is unknown."""
        deadline = time.monotonic() + (timeout or self.call_timeout)
        backoff = 0.05
        while True:
            if time.monotonic() >= deadline:
                # Only reached when nothing was sent, or what was sent had no effect (or is idempotent).
                raise ChubbyError(12, "no master answered within %.1f s" % (timeout or self.call_timeout))
            conn = None
            try:
                conn = self._connection()
                response = conn.call(self._request(body), deadline - time.monotonic())
            except (OSError, ConnectionLost) as e:
                if isinstance(e, ConnectionLost) and e.sent and not idempotent:
                    raise OutcomeUnknown("the request was sent but %s; check the state before repeating it" % e)
                self._relocate(None, conn)
                backoff = self._pause(backoff, deadline)
                continue
            if not response.HasField("error"):
                return response
            name = ERRORS.get(response.error.code)
            if name in ("NOT_MASTER", "WRONG_EPOCH"):
                # Nothing was applied: go where the refusal points (or look for the master) and repeat.
                self._relocate(response.master if response.HasField("master") else None, conn)
                continue
            if name == "CELL_UNAVAILABLE" or (name == "OUTCOME_UNKNOWN" and idempotent):
                backoff = self._pause(backoff, deadline)
                continue
            if name == "OUTCOME_UNKNOWN":
                raise OutcomeUnknown(response.error.message)
            raise ChubbyError(response.error.code, response.error.message)

    @staticmethod
    def _pause(backoff, deadline):
        time.sleep(max(0.0, min(backoff, deadline - time.monotonic())))
        return min(backoff * 2, 1.0)

    def _connection(self):
        with self._conn_lock:
            if self._conn is not None and self._conn.is_open and self._conn.address == self.master:
                return self._conn
            if self._conn is not None:
                self._conn.close()
            if self.master is None:
                self._locate()
            self._conn = Connection(self.master, self.client_name)
            return self._conn

    def _relocate(self, location, failed):
        """After a refusal or a lost connection on `failed`: use the master a MasterLocation names
        (keeping the connection if it already goes there), else drop it and look again."""
        with self._conn_lock:
            if location is not None and location.master_address:
                self.epoch = location.epoch
                if location.master_address == self.master and failed is not None and failed.is_open:
                    return
                self.master = location.master_address
            else:
                self.master = None
            if failed is not None and self._conn is failed:
                self._conn.close()
                self._conn = None

    def _locate(self):
        """Asks the replicas in turn (the last master first) until one names the master."""
        order = sorted(self.replicas, key=lambda a: a != self.master)
        for address in order:
            try:
                conn = Connection(address, self.client_name)
                try:
                    r = conn.call(pb.Request(master_location=pb.MasterLocationRequest()), 2.0)
                finally:
                    conn.close()
            except (OSError, ConnectionLost, ChubbyError):
                continue
            if not r.HasField("error") and r.master_location.master_address:
                self.master = r.master_location.master_address
                self.epoch = r.master_location.epoch
                self.replicas = list(r.master_location.replicas) or self.replicas
                return
        raise OSError("no replica of %s names a master" % ",".join(self.replicas))

    # ---------------------------------------------------------------- the session

    def _keep_alive_loop(self):
        """Keeps one KeepAlive held by the master; acknowledges on the next one what the last reply carried."""
        acked_event_seq = 0
        invalidations = []
        failover = False
        dropped = False
        while not self._closed.is_set():
            request = pb.KeepAliveRequest(acked_event_seq=acked_event_seq, acked_invalidations=invalidations,
                                          acked_failover=failover, acked_cache_dropped=dropped)
            try:
                # Held until about a second before the lease ends: wait longer than any lease.
                r = self._call(keep_alive=request, timeout=max(self.lease_ms, 60_000) / 1000 + self.call_timeout)
            except ChubbyError as e:
                if e.name == "SESSION_EXPIRED":
                    self.expired = e
                    return
                continue
            if self._closed.is_set():
                return
            reply = r.keep_alive
            self.lease_ms = reply.lease_ms
            self.epoch = reply.epoch
            invalidations = [inv.id for inv in reply.invalidations]   # nothing cached: applied at once
            for inv in reply.invalidations:
                self.invalidations.put(inv)
            failover = False
            dropped = False
            for event in reply.events:
                if event.kind == pb.MASTER_FAILED_OVER:
                    failover = True   # a cache would be flushed here, before acknowledging
                elif event.kind == pb.CACHE_DROPPED:
                    dropped = True    # likewise: the whole cache, before acknowledging
                if event.seq > acked_event_seq:
                    acked_event_seq = event.seq
                    self.events.put(event)


class Handle:
    """An open node. `handle` is the server's opaque bytes; `path` is what was opened."""

    def __init__(self, client, path, handle, created, stat):
        self.client = client
        self.path = path
        self.handle = handle
        self.created = created
        self.stat = stat

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def read(self, no_cache=False):
        """(contents, GetContentsReply) of a file. With no_cache the session is not signed up as a
        cache holder of the node (no invalidations for it); without, it is, as a caching client's."""
        r = self.client._call(get_contents=pb.GetContentsRequest(handle=self.handle, no_cache=no_cache)).get_contents
        return r.contents, r

    def write(self, contents, cas_generation=None):
        """Writes the whole file; with cas_generation, only if the content generation is still that."""
        req = pb.SetContentsRequest(handle=self.handle, contents=contents)
        if cas_generation is not None:
            req.cas = True
            req.expected_generation = cas_generation
        return self.client._call(idempotent=False, set_contents=req).set_contents.stat

    def get_stat(self):
        return self.client._call(get_stat=pb.GetStatRequest(handle=self.handle)).stat

    def list(self):
        return [e.name for e in self.client._call(read_dir=pb.ReadDirRequest(handle=self.handle)).read_dir.entries]

    def delete(self):
        self.client._call(idempotent=False, delete=pb.DeleteRequest(handle=self.handle))

    def acquire(self, shared=False, try_only=False, timeout_ms=0):
        """(acquired, lock_generation). A blocking wait is held by the master; timeout_ms 0 waits forever."""
        mode = pb.SHARED if shared else pb.EXCLUSIVE
        wait = (timeout_ms / 1000 if timeout_ms else 3600) + self.client.call_timeout
        r = self.client._call(timeout=None if try_only else wait, acquire=pb.AcquireRequest(
            handle=self.handle, mode=mode, try_only=try_only, timeout_ms=timeout_ms)).acquire
        return r.acquired, r.lock_generation

    def release(self):
        self.client._call(release=pb.ReleaseRequest(handle=self.handle))

    def sequencer(self):
        """The held lock's sequencer: opaque bytes for other servers to check."""
        return self.client._call(get_sequencer=pb.GetSequencerRequest(handle=self.handle)).sequencer.sequencer

    def set_sequencer(self, sequencer):
        self.client._call(set_sequencer=pb.SetSequencerRequest(handle=self.handle, sequencer=sequencer))

    def lock_info(self):
        return self.client._call(lock_info=pb.LockInfoRequest(handle=self.handle)).lock_info

    def close(self):
        self.client._call(close=pb.CloseRequest(handle=self.handle))
