/**
 * A local cell on disk and as processes: the directory and config layout written by
 * {@code cell up}, pid files, and starting/stopping replica processes. No client calls here.
 */
package io.chubby.cli.internal.cell;
