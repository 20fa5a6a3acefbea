package io.chubby.api;

/** What a handle may be used for; checked against the node's ACLs at open only. */
public enum OpenMode {
    /** GetContentsAndStat, GetStat, ReadDir. */
    READ,
    /** SetContents, Delete, and acquiring the node's lock. Includes READ. */
    WRITE,
    /** SetACL. Includes READ. */
    CHANGE_ACL
}
