/**
 * The CLI inside a replica: Gogo shell commands ({@code chubby:ls}, ...) and the
 * {@link io.chubby.spi.AdminShell} that runs {@code chubby admin} command lines through Gogo.
 */
package io.chubby.cli.internal.gogo;
