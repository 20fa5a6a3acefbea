package io.chubby.bench.micro;

import io.chubby.api.CreateMode;
import io.chubby.cell.internal.state.CellState;
import io.chubby.cell.internal.state.Command;
import io.chubby.cell.internal.state.CommandCodec;
import io.chubby.cell.internal.state.HandleToken;
import io.chubby.cell.internal.state.Result;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cell state machine's apply of a committed 100-byte SetContents (decode the command, check
 * the handle, update the node, produce the store mutations), as every replica does per entry.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ApplyBench {
    private CellState state;
    private long index;
    private byte[] setContents;
    private byte[] encodeOnly;

    @Setup
    public void setup() {
        state = new CellState("local");
        state.apply(++index, 1, CommandCodec.encode(new Command.InitCell(new byte[32], 1)));
        Result created = state.apply(++index, 1,
                CommandCodec.encode(new Command.CreateSessions(List.of("bench"), 1))).result();
        long session = ((Result.SessionsCreated) created).sessionIds().get(0);
        Result opened = state.apply(++index, 1, CommandCodec.encode(new Command.Open(session, "/ls/local/bench", 1 | 2,
                CreateMode.MAY, false, false, new byte[0], null, null, null, 0, 0, 1))).result();
        if (!(opened instanceof Result.Opened o)) {
            throw new IllegalStateException("setup open failed: " + opened);
        }
        long handle = HandleToken.decode(o.handle(), state.secret()).handleId();
        setContents = CommandCodec.encode(new Command.SetContents(session, handle, new byte[100], false, 0, 2));
        encodeOnly = setContents;
        Result first = state.apply(++index, 1, setContents).result();
        if (!(first instanceof Result.Written)) {
            throw new IllegalStateException("setup SetContents failed: " + first);
        }
    }

    @Benchmark
    public CellState.Applied applySetContents() {
        return state.apply(++index, 1, setContents);
    }

    @Benchmark
    public Command decodeSetContents() {
        return CommandCodec.decode(encodeOnly);
    }
}
