/**
 * The {@code chubby} command's entry point ({@link io.chubby.cli.Main}) for a plain JVM. Not
 * exported: the command is run, not linked against.
 */
package io.chubby.cli;
