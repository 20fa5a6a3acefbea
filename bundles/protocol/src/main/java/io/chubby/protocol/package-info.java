/**
 * The client wire protocol: protobuf messages generated from {@code client.proto} (shipped in
 * this bundle for other languages) and the {@link io.chubby.protocol.Frames} codec.
 */
package io.chubby.protocol;
