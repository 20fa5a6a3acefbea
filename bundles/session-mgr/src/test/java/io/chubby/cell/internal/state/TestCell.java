package io.chubby.cell.internal.state;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A CellState driven like the log does: increasing indexes, encoded commands, results decoded. */
final class TestCell {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    final CellState state;
    long index;
    long epoch = 1;
    long now = 1_000;

    TestCell(String cell) {
        this(cell, 0);
    }

    /** The state of Paxos group {@code group} of the cell. */
    TestCell(String cell, int group) {
        state = new CellState(cell, group);
    }

    /** The state of Paxos group {@code group} of a cell partitioned as {@code layout}. */
    TestCell(String cell, int group, Partitions layout) {
        state = new CellState(cell, group, layout);
    }

    static TestCell initialised() {
        TestCell c = new TestCell("c");
        c.ok(new Command.InitCell(SECRET, c.now));
        return c;
    }

    Result run(Command c) {
        CellState.Applied a = state.apply(++index, epoch, CommandCodec.encode(c));
        // The result must survive its own encoding, as it travels to the proposer as bytes.
        return Result.decode(a.result().encode());
    }

    Result ok(Command c) {
        Result r = run(c);
        if (r instanceof Result.Failed f) {
            throw f.exception();
        }
        return r;
    }

    long session() {
        return ((Result.SessionsCreated) ok(new Command.CreateSessions(List.of("t"), now))).sessionIds().get(0);
    }

    Result.Opened open(long session, String path, int mode, CreateMode create, boolean dir, boolean eph,
                       String contents) {
        return (Result.Opened) ok(new Command.Open(session, path, mode, create, dir, eph,
                contents == null ? new byte[0] : contents.getBytes(StandardCharsets.UTF_8), null, null, null, 0,
                10_000, now));
    }

    Result.Opened create(long session, String path, boolean dir, boolean eph) {
        return open(session, path, Modes.ALL, CreateMode.MUST, dir, eph, null);
    }

    HandleRecord handle(Result.Opened o, long session) {
        return state.checkHandle(o.handle(), session);
    }

    static ChubbyException expectFail(Runnable r) {
        try {
            r.run();
        } catch (ChubbyException e) {
            return e;
        }
        throw new AssertionError("expected a ChubbyException");
    }
}
