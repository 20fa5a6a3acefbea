/**
 * How a command line runs: {@link io.chubby.cli.internal.Cli} (picocli setup, exit codes, the one
 * error line), {@link io.chubby.cli.internal.CliContext} (streams, environment, waits) and
 * {@link io.chubby.cli.internal.CellAccess} (the client library behind a seam for tests).
 */
package io.chubby.cli.internal;
