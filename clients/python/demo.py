#!/usr/bin/python3
"""Sessions, files, compare-and-swap, locks and sequencers against a real cell, in Python.

    /usr/bin/python3 clients/python/demo.py --cell 127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003

Prints one `step: details` line per step and exits 0, or exits 1 naming the step that failed.
The distribution's PythonClientIT runs it against a real cell with --pause, --java-lock and
--expect-failover to check that it and the Java client see each other's writes and locks.
"""

import argparse
import base64
import os
import queue
import sys
import time

import chubby_client as chubby
from chubby_client import READ, WRITE, pb

WAIT_S = 30


def say(step, details):
    print("%s: %s" % (step, details), flush=True)


def next_matching(q, what, matches, timeout=WAIT_S):
    """The first item of queue `q` that `matches` (others are dropped), within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            item = q.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise SystemExit("demo: no %s within %d s" % (what, timeout))
        if matches(item):
            return item


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cell", default=os.environ.get("CHUBBY_CELL"), help="host:port,... (default: $CHUBBY_CELL)")
    p.add_argument("--dir", default="/ls/local/python-demo", help="directory to work in (its parent must exist)")
    p.add_argument("--java-lock", help="a lock another client holds: show that it is held, and by whom")
    p.add_argument("--java-sequencer", help="that holder's sequencer (base64): check it")
    p.add_argument("--pause", action="store_true", help="hold the lock until a line arrives on stdin")
    p.add_argument("--expect-failover", action="store_true", help="after the pause, wait for MASTER_FAILED_OVER")
    args = p.parse_args()
    if not args.cell:
        p.error("give --cell or set CHUBBY_CELL")

    with chubby.Client(args.cell.split(","), client_name="python-demo") as c:
        hello = c.hello
        say("hello", "cell=%s replica=%d protocol=%d" % (hello.cell, hello.replica_id, hello.protocol_version))
        say("session", "id=%d epoch=%d lease_ms=%d master=%s" % (c.session_id, c.epoch, c.lease_ms, c.master))

        # Directories: a node's parent must exist.
        d = c.open(args.dir, READ | WRITE, create="may", directory=True)
        say("mkdir", "%s created=%s" % (d.path, d.created))
        try:
            c.open(args.dir + "/missing/child", READ | WRITE, create="may")
            raise SystemExit("demo: a node was created under a missing parent")
        except chubby.ChubbyError as e:
            say("error", "open %s/missing/child -> %s (wire %d): %s" % (args.dir, e.name, e.code, e.message))

        # A file: whole contents, each write a new content generation.
        g = c.open(args.dir + "/greeting", READ | WRITE, create="may", events=["CONTENTS_MODIFIED"])
        stat = g.write(b"hello from python")
        say("write", "%s generation=%d" % (g.path, stat.content_generation))
        data, reply = g.read()
        say("read", '%s "%s" generation=%d' % (g.path, data.decode(), reply.stat.content_generation))

        # Compare-and-swap on the content generation.
        gen = stat.content_generation
        stat = g.write(b"hello from python, swapped", cas_generation=gen)
        say("cas", "expected=%d -> ok generation=%d" % (gen, stat.content_generation))
        try:
            g.write(b"a lost update", cas_generation=gen)
            raise SystemExit("demo: a stale compare-and-swap succeeded")
        except chubby.ChubbyError as e:
            say("cas", "expected=%d -> %s (wire %d)" % (gen, e.name, e.code))

        # Several calls in flight on the connection that also carries the held KeepAlive.
        futures = [c.submit(get_stat=pb.GetStatRequest(handle=g.handle)) for _ in range(3)]
        answers = [f.result(WAIT_S) for f in futures]
        say("in-flight", "%d GetStat calls sent at once, answered by call_id %s" %
            (len(answers), ", ".join(str(a.call_id) for a in answers)))

        # The acknowledgement duty: another session writes what this one has read.
        g.read()
        with chubby.Client(args.cell.split(","), client_name="python-demo-writer") as other:
            with other.open(g.path, READ | WRITE) as og:
                written = og.write(b"hello again from python")
        inv = next_matching(c.invalidations, "invalidation", lambda i: i.path.endswith("/greeting"))
        say("invalidation", "%s id=%d acknowledged" % (inv.path, inv.id))
        ev = next_matching(c.events, "CONTENTS_MODIFIED event", lambda e: e.kind == pb.CONTENTS_MODIFIED
                           and e.generation == written.content_generation)
        say("event", "%s %s generation=%d" % (pb.EventKind.Name(ev.kind), ev.path, ev.generation))

        # A client that does not cache reads with no_cache: never a cache holder, so no writer waits on it.
        data, reply = g.read(no_cache=True)
        if reply.cacheable:
            raise SystemExit("demo: a no_cache read was answered cacheable")
        say("uncached", '%s "%s" cacheable=%s' % (g.path, data.decode(), reply.cacheable))

        # A lock, its sequencer, and what another session sees.
        lock = c.open(args.dir + "/lock", READ | WRITE, create="may", lock_delay_ms=1000)
        acquired, lock_gen = lock.acquire()
        say("lock", "%s acquired=%s generation=%d" % (lock.path, acquired, lock_gen))
        seq = lock.sequencer()
        seq_b64 = base64.b64encode(seq).decode()
        valid, _ = c.check_sequencer(seq)
        say("sequencer", "%s valid=%s" % (seq_b64, valid))
        with chubby.Client(args.cell.split(","), client_name="python-demo-rival") as rival:
            with rival.open(lock.path, READ | WRITE) as rh:
                taken, _ = rh.acquire(try_only=True)
                holders = [h.client_name for h in rh.lock_info().holders]
        say("rival", "try_acquire %s -> acquired=%s holders=%s" % (lock.path, taken, ",".join(holders)))

        if args.java_lock:
            with c.open(args.java_lock, READ | WRITE) as jl:
                taken, _ = jl.acquire(try_only=True)
                holders = [h.client_name for h in jl.lock_info().holders]
            say("java-lock", "try_acquire %s -> acquired=%s holders=%s" % (args.java_lock, taken, ",".join(holders)))
        if args.java_sequencer:
            valid, reason = c.check_sequencer(base64.b64decode(args.java_sequencer))
            say("java-sequencer", "valid=%s%s" % (valid, "" if valid else " reason=" + reason))

        if args.pause:
            g.read()   # a cache holder again: a write by someone else now waits for our acknowledgement
            say("holding", "%s sequencer=%s" % (lock.path, seq_b64))
            say("waiting", "for a line on stdin")
            sys.stdin.readline()
            if args.expect_failover:
                ev = next_matching(c.events, "MASTER_FAILED_OVER event", lambda e: e.kind == pb.MASTER_FAILED_OVER,
                                   timeout=60)
                say("failover", "epoch=%d master=%s acknowledged" % (ev.generation, c.master))
            data, reply = g.read()
            say("read", '%s "%s" generation=%d' % (g.path, data.decode(), reply.stat.content_generation))

        lock.release()
        valid, reason = c.check_sequencer(seq)
        say("release", "%s sequencer valid=%s reason=%s" % (lock.path, valid, reason))
    say("done", "session closed")


if __name__ == "__main__":
    try:
        main()
    except chubby.ChubbyError as e:
        print("demo: %s" % e, file=sys.stderr)
        sys.exit(1)
