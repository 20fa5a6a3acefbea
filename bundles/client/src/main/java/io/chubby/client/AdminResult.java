package io.chubby.client;

/**
 * Result of an operator command line run inside a replica ({@link ChubbyClient#admin}).
 *
 * @param status the command's exit status (0 = success)
 * @param output what the command printed
 */
public record AdminResult(int status, String output) {
}
