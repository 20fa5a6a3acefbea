package io.chubby.cell.internal;

import io.chubby.spi.PartitionView;
import io.chubby.spi.RequestHandler;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@link PartitionView} service: how the cell is partitioned and each open group's master, as
 * this replica's {@link CellComponent} knows it. A component of its own, on the cell component's
 * {@code RequestHandler} service, and never registered from the cell component's activation: SCR
 * would activate the view's consumers inside that constructor, and one that also needs the cell
 * would get null (docs/PARTITIONING.md, "Step 3 as built").
 */
@Component(service = PartitionView.class)
public final class PartitionViewComponent implements PartitionView {
    static final String CELL_FILTER = "(component.name=io.chubby.cell.internal.CellComponent)";

    private final PartitionView view;

    @Activate
    public PartitionViewComponent(@Reference(name = "cell", target = CELL_FILTER) RequestHandler cell) {
        this.view = new HostedPartitionView(((CellComponent) cell).host());
    }

    @Override
    public int partitions() {
        return view.partitions();
    }

    @Override
    public String hashName() {
        return view.hashName();
    }

    @Override
    public int slots() {
        return view.slots();
    }

    @Override
    public List<GroupMaster> groups() {
        return view.groups();
    }
}
