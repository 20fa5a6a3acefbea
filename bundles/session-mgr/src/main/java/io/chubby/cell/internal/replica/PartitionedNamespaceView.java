package io.chubby.cell.internal.replica;

import io.chubby.api.DirEntry;
import io.chubby.api.Stat;
import io.chubby.cell.internal.state.AclCopies;
import io.chubby.cell.internal.state.CellState;
import io.chubby.spi.NamespaceView;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The {@link NamespaceView} of one group of a partitioned cell (docs/PARTITIONING.md section 4.3):
 * in a group other than A (the partition of the ACL files {@code /acl/<name>}) the ACL files and
 * the listing of {@code /acl} are read from the group's {@link AclCopies}, everything else from
 * the group's applied state ({@link StateNamespace}). In group A and in a cell of one partition it
 * is exactly the state's view. So an authorizer deciding a call in any group reads local state
 * only, and the versions it names are the ones the guard compares with at apply. Thread-safe.
 */
public final class PartitionedNamespaceView implements NamespaceView {
    private final CellStateMachine machine;
    private final StateNamespace local;

    public PartitionedNamespaceView(CellStateMachine machine) {
        this.machine = machine;
        this.local = new StateNamespace(machine);
    }

    @Override
    public String cellName() {
        return local.cellName();
    }

    @Override
    public long appliedIndex() {
        return local.appliedIndex();
    }

    @Override
    public Stat stat(String path) {
        Copied<Stat> c = fromCopy(path, s -> {
            AclCopies.CopiedAcl a = s.aclCopies().copyOf(path);
            return a == null || a.absent() ? null : a.stat();
        });
        return c == null ? local.stat(path) : c.value();
    }

    @Override
    public byte[] contents(String path) {
        Copied<byte[]> c = fromCopy(path, s -> {
            AclCopies.CopiedAcl a = s.aclCopies().copyOf(path);
            return a == null || a.absent() ? null : a.contents().clone();
        });
        return c == null ? local.contents(path) : c.value();
    }

    @Override
    public List<DirEntry> children(String path) {
        if (!AclCopies.DIRECTORY.equals(path)) {
            return local.children(path);
        }
        List<DirEntry> copied = machine.read(s -> {
            if (!s.aclCopies().copied()) {
                return null;
            }
            List<DirEntry> out = new ArrayList<>();
            for (String name : s.aclCopies().names()) {
                out.add(new DirEntry(name.substring(AclCopies.DIRECTORY.length() + 1),
                        s.aclCopies().copyOf(name).stat()));
            }
            return out;
        });
        return copied == null ? local.children(path) : copied;
    }

    /** A value read from the copies (possibly null: no such file), as against "not copied here". */
    private record Copied<T>(T value) {
    }

    /** The copy's answer when this group reads {@code path} from its copies, else null (read the state). */
    private <T> Copied<T> fromCopy(String path, Function<CellState, T> read) {
        if (!AclCopies.isAclFile(path)) {
            return null;
        }
        return machine.read(s -> s.aclCopies().copied() ? new Copied<>(read.apply(s)) : null);
    }
}
