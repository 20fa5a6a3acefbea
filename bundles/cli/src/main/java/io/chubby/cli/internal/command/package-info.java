/**
 * The picocli commands of {@code chubby}: the root command with {@code --cell}, the local cell
 * commands ({@code cell up|down|status}) and the file, ACL, master and admin commands.
 */
package io.chubby.cli.internal.command;
