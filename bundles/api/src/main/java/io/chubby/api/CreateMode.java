package io.chubby.api;

/** Whether Open may, must or must not create the node. */
public enum CreateMode {
    /** The node must exist. */
    NO,
    /** Create the node if it does not exist. */
    MAY,
    /** Fail with EXISTS if the node exists. */
    MUST
}
