package io.chubby.cli.internal.command;

import picocli.CommandLine.IVersionProvider;

/** The version printed by {@code chubby --version}: the jar's implementation version when known. */
public final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Version.class.getPackage().getImplementationVersion();
        return new String[] {"chubby " + (v == null ? "(development build)" : v)};
    }
}
