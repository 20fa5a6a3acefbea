package io.chubby.cli.internal;

import io.chubby.api.MasterInfo;
import io.chubby.client.AdminResult;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.ReplicaStatus;

import java.time.Duration;

/**
 * How commands reach a cell: the client library's entry points behind one seam, which the Gogo
 * commands and the tests pass in (tests wrap the library to record the sessions the commands
 * open). {@link #LIBRARY} is the real thing.
 */
public interface CellAccess {
    /** The real client library. */
    CellAccess LIBRARY = new CellAccess() {
        @Override
        public ChubbyClient connect(ClientOptions options) {
            return ChubbyClient.connect(options);
        }

        @Override
        public ReplicaStatus status(String address, Duration timeout) {
            return ChubbyClient.status(address, timeout);
        }

        @Override
        public MasterInfo masterLocation(String address, Duration timeout) {
            return ChubbyClient.masterLocation(address, timeout);
        }

        @Override
        public AdminResult admin(String address, String commandLine, Duration timeout) {
            return ChubbyClient.admin(address, commandLine, timeout);
        }
    };

    ChubbyClient connect(ClientOptions options);

    ReplicaStatus status(String address, Duration timeout);

    MasterInfo masterLocation(String address, Duration timeout);

    AdminResult admin(String address, String commandLine, Duration timeout);
}
