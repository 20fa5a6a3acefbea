package io.chubby.cell.internal.state;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;

/**
 * The rules of {@link Command.SetPartitions} (docs/PARTITIONING.md section 5): group 0 only; a
 * record needs a cell holding nothing but its root and no session, since data already placed by
 * one partitioning would sit in the wrong group under another; once recorded, only the same
 * record again (a no-op) is accepted. Pure: it reads and writes the {@link CellState} alone.
 */
final class PartitionsApplier {
    private final CellState s;

    PartitionsApplier(CellState state) {
        this.s = state;
    }

    Result setPartitions(Command.SetPartitions p) {
        if (s.group != 0) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "SetPartitions is recorded in group 0 only, "
                    + "not in group %d", s.group);
        }
        if (p.hashName() == null || p.hashName().isEmpty() || p.slots() < 1 || p.partitions() < 1
                || p.partitions() > p.slots()) {
            throw ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "bad partitioning: %d partition(s), hash %s, "
                    + "%d slots (need 1 <= partitions <= slots and a hash name)", p.partitions(), p.hashName(),
                    p.slots());
        }
        Partitions wanted = new Partitions(p.partitions(), p.hashName(), p.slots());
        Partitions recorded = s.partitions;
        if (recorded != null) {
            if (recorded.equals(wanted)) {
                return new Result.Done(); // two masters in a row may both propose it
            }
            throw refusal(recorded);
        }
        if (s.nodes.size() > 1 || !s.sessions.isEmpty()) {
            throw refusal(Partitions.ONE);
        }
        s.putPartitions(wanted);
        return new Result.Done();
    }

    private static ChubbyException refusal(Partitions current) {
        return ChubbyException.of(ErrorCode.INVALID_ARGUMENT, "the cell holds data partitioned %d way(s); changing "
                + "the number of partitions (re-partitioning) is not supported", current.count());
    }
}
