package io.chubby.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.chubby.client.ClientOptions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class DirectoryWorkerTest {

    @Test
    void everyDirectoryHasItsChildrenOnAnotherPartitionThanItself() {
        String parent = "/ls/local/faults-d1";
        DirectoryWorker worker = new DirectoryWorker(1, parent, 4,
                ClientOptions.builder().replicas(List.of("127.0.0.1:1")).build(), new History(), new DirectoryLedger(),
                new AtomicBoolean(true));
        int own = PartitionedPaths.partitionOfChildren(parent, 4);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            String d = worker.nextDirectory();
            assertEquals(parent, d.substring(0, d.lastIndexOf('/')));
            assertNotEquals(own, PartitionedPaths.partitionOfChildren(d, 4), d);
            assertEquals(true, seen.add(d), "name reused: " + d);
        }
    }
}
