package io.chubby.cli.internal;

import io.chubby.api.MasterInfo;
import io.chubby.client.AdminResult;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.client.ClientSecurity;
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
        public ReplicaStatus status(String address, Duration timeout, ClientSecurity security) {
            return ChubbyClient.status(address, timeout, security);
        }

        @Override
        public MasterInfo masterLocation(String address, Duration timeout, ClientSecurity security) {
            return ChubbyClient.masterLocation(address, timeout, security);
        }

        @Override
        public AdminResult admin(String address, String commandLine, Duration timeout, ClientSecurity security) {
            return ChubbyClient.admin(address, commandLine, timeout, security);
        }
    };

    ChubbyClient connect(ClientOptions options);

    /** Status of one replica, over TLS and/or with credentials as {@code security} says. */
    ReplicaStatus status(String address, Duration timeout, ClientSecurity security);

    MasterInfo masterLocation(String address, Duration timeout, ClientSecurity security);

    AdminResult admin(String address, String commandLine, Duration timeout, ClientSecurity security);

    /** Who the replica takes a connection with {@code security} to be (one Hello, no session). */
    default io.chubby.client.Identity whoami(String address, Duration timeout, ClientSecurity security) {
        return ChubbyClient.whoami(address, timeout, security);
    }
}
