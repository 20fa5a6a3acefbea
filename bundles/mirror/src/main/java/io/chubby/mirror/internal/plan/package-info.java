/**
 * The pure core of the mirror: mapping paths between the source and target subtrees, turning a
 * source event into a task, planning a reconciliation from two listings (with the removal guard),
 * and the loop check. No OSGi, no client library, no threads, no clock: everything is a value in,
 * a value out, so the tests drive it with plain data.
 */
package io.chubby.mirror.internal.plan;
