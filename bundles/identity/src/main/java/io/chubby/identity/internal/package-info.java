/**
 * The replica's identity (PID {@code io.chubby.replica}: cell name, replica id, members, data
 * directory), validated once and published as the {@link io.chubby.spi.ReplicaIdentity} service
 * that every core component takes its identity from. Private: the bundle exports nothing.
 */
package io.chubby.identity.internal;
