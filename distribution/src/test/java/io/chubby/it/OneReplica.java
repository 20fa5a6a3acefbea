package io.chubby.it;

import io.chubby.api.ChubbyException;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.Hashtable;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** A one-replica cell inside a Pax Exam container, configured the way FileInstall would. */
final class OneReplica {
    private OneReplica() {
    }

    /** Configures PID io.chubby.replica for a one-replica cell on free ports; returns the client address. */
    static String configure(ConfigurationAdmin configAdmin) throws IOException {
        int clientPort = ExamOptions.freePort();
        int peerPort = ExamOptions.freePort();
        Configuration c = configAdmin.getConfiguration("io.chubby.replica", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        // strings, exactly as FileInstall passes a .cfg file's values
        props.put("cell.name", "local");
        props.put("replica.id", "1");
        props.put("members", "1@127.0.0.1:" + clientPort + ":" + peerPort);
        props.put("data.dir", ExamOptions.tempDir("replica-data").toString());
        c.update(props);
        return "127.0.0.1:" + clientPort;
    }

    /** A client connected to the cell at {@code address}, once the cell serves (within 60 s). */
    static ChubbyClient awaitClient(String address, String name) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try {
                return ChubbyClient.connect(ClientOptions.builder().cell(address).clientName(name)
                        .callTimeout(Duration.ofSeconds(20)).build());
            } catch (ChubbyException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
