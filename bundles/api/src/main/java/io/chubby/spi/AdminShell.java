package io.chubby.spi;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs an operator command line inside a replica (the Gogo shell when it is deployed), so that
 * {@code chubby admin ...} reaches it over the client protocol. Optional: when no AdminShell is
 * bound, admin requests fail with a clear error.
 */
@ProviderType
public interface AdminShell {
    /** The command's output and exit status. */
    record Result(int status, String output) {
    }

    Result execute(String commandLine);
}
