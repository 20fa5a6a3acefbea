package io.chubby.cell.internal;

import io.chubby.cell.internal.state.Partitions;
import io.chubby.spi.Consensus;
import io.chubby.spi.PartitionView;
import java.util.ArrayList;
import java.util.List;

/** The {@link PartitionView} of a {@link CellHost}: group 0's record and every open group's master, read on each call. */
final class HostedPartitionView implements PartitionView {
    private final CellHost host;

    HostedPartitionView(CellHost host) {
        this.host = host;
    }

    @Override
    public int partitions() {
        return host.partitions().count();
    }

    @Override
    public String hashName() {
        return host.partitions().hashName();
    }

    @Override
    public int slots() {
        return host.partitions().slots();
    }

    @Override
    public List<GroupMaster> groups() {
        List<GroupMaster> out = new ArrayList<>();
        for (int g : host.openGroups()) {
            CellServer s = host.server(g);
            if (s != null) {
                Consensus c = s.consensus();
                out.add(new GroupMaster(g, c.masterId(), c.epoch()));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        Partitions p = host.partitions();
        return "PartitionView[" + p.count() + " " + p.hashName() + " " + groups() + "]";
    }
}
