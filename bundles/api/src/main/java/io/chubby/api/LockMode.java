package io.chubby.api;

/** Reader/writer lock modes of a node. */
public enum LockMode {
    EXCLUSIVE,
    SHARED
}
