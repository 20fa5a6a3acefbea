package io.chubby.cell.internal.replica;

import io.chubby.cell.internal.state.CellState;
import io.chubby.cell.internal.state.LockRecord;
import io.chubby.cell.internal.state.SessionRecord;
import io.chubby.spi.SessionView;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link SessionView} over this replica's applied state: each call copies what it returns under
 * the state machine's monitor, so it sees whole entries only and hands out nothing mutable.
 * Thread-safe.
 */
public final class StateSessions implements SessionView {
    private final CellStateMachine machine;

    public StateSessions(CellStateMachine machine) {
        this.machine = machine;
    }

    @Override
    public List<Session> sessions() {
        return machine.read(StateSessions::sessionsOf);
    }

    @Override
    public List<Lock> locks() {
        return machine.read(StateSessions::locksOf);
    }

    static List<Session> sessionsOf(CellState s) {
        List<Session> out = new ArrayList<>();
        for (long id : s.sessionIds()) {
            SessionRecord r = s.session(id);
            out.add(new Session(id, r.clientName(), r.principal(), r.createdMillis(), s.handleCountOf(id)));
        }
        return List.copyOf(out);
    }

    static List<Lock> locksOf(CellState s) {
        List<Lock> out = new ArrayList<>();
        s.locks().forEachLock((path, r) -> out.add(new Lock(path.isEmpty() ? "/" : path, parties(r.holders()),
                parties(r.waiters()), r.delayUntilMillis())));
        return List.copyOf(out);
    }

    private static List<Party> parties(List<LockRecord.Party> parties) {
        List<Party> out = new ArrayList<>(parties.size());
        for (LockRecord.Party p : parties) {
            out.add(new Party(p.sessionId(), p.handleId(), p.mode() == LockRecord.SHARED));
        }
        return out;
    }
}
