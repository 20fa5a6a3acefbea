package io.chubby.transport.internal;

/**
 * What the client side's {@link FrameDecoder} hands to the handler, instead of a message, for a
 * frame of a protocol version this replica does not speak: the handler answers it with a typed
 * PROTOCOL_ERROR (in a version-1 frame) and then closes the connection.
 */
record FrameVersionRefused(int version, String reason) {
}
