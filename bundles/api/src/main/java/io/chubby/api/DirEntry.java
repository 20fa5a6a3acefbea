package io.chubby.api;

/** One child of a directory as returned by ReadDir: its name (last component) and metadata. */
public record DirEntry(String name, Stat stat) {
}
