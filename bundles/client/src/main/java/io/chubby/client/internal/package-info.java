/**
 * Implementation of the client library, not exported: the MINA connection and frame codec
 * ({@link io.chubby.client.internal.Connection}, {@link io.chubby.client.internal.FrameCodec}),
 * master discovery and retry rules ({@link io.chubby.client.internal.Dispatcher}), the session and
 * its KeepAlive loop ({@link io.chubby.client.internal.SessionKeeper}), handles and the client
 * facade ({@link io.chubby.client.internal.ClientHandle}, {@link io.chubby.client.internal.CellClient}).
 */
package io.chubby.client.internal;
