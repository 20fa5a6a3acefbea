package io.chubby.proxy.internal;

import io.chubby.protocol.MasterLocation;
import io.chubby.protocol.PartitionMaster;

/**
 * A partitioned cell's map as a proxy's clients see it: the proxy is every partition's master
 * (ids, epochs, partition count and hash kept as the cell said), so a client routes by partition
 * but only ever dials the proxy, which passes each call on to its partition's master. Stateless.
 */
final class ProxiedMap {
    private ProxiedMap() {
    }

    /** {@code cell}'s location (an answer's, or a refusal's {@code Response.master}) with {@code proxy} as every master. */
    static MasterLocation of(MasterLocation cell, String proxy) {
        MasterLocation.Builder b = cell.toBuilder().clearReplicas().addReplicas(proxy);
        if (cell.getMasterId() != 0) {
            b.setMasterAddress(proxy);
        }
        b.clearPartitionMasters();
        for (PartitionMaster pm : cell.getPartitionMastersList()) {
            b.addPartitionMasters(pm.getMasterId() == 0 ? pm : pm.toBuilder().setMasterAddress(proxy).build());
        }
        return b.build();
    }
}
