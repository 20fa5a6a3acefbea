package io.chubby.cell.internal.replica;

import io.chubby.api.ChubbyException;
import io.chubby.api.DirEntry;
import io.chubby.api.Stat;
import io.chubby.cell.internal.state.Node;
import io.chubby.spi.NamespaceView;
import java.util.List;

/**
 * {@link NamespaceView} over this replica's applied state: each call reads the in-memory state
 * under the state machine's monitor, so it sees whole entries only. A path that is not a valid
 * cell-relative name reads as absent. Thread-safe.
 */
public final class StateNamespace implements NamespaceView {
    private final CellStateMachine machine;

    public StateNamespace(CellStateMachine machine) {
        this.machine = machine;
    }

    @Override
    public String cellName() {
        return machine.read(s -> s.cell());
    }

    @Override
    public long appliedIndex() {
        return machine.appliedIndex();
    }

    @Override
    public Stat stat(String path) {
        Node n = node(path);
        return n == null ? null : n.stat();
    }

    @Override
    public byte[] contents(String path) {
        Node n = node(path);
        return n == null ? null : n.contents().clone();
    }

    @Override
    public List<DirEntry> children(String path) {
        try {
            return machine.read(s -> s.children(path));
        } catch (ChubbyException bad) {
            return List.of();
        }
    }

    private Node node(String path) {
        try {
            return machine.read(s -> s.nodeAt(path));
        } catch (ChubbyException bad) {
            return null;
        }
    }
}
