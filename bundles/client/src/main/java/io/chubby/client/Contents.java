package io.chubby.client;

import io.chubby.api.Stat;

/**
 * A file's whole contents and its metadata, read together by GetContentsAndStat.
 *
 * @param data the file's bytes (a copy: changing it changes nothing else)
 * @param stat the node's metadata at the time of the read
 */
public record Contents(byte[] data, Stat stat) {
    public Contents {
        data = data == null ? new byte[0] : data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }
}
