package io.chubby.proxy.internal.core;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which principals the master has let read which cached node (bundles/proxy README, "Principals
 * through the proxy"): the shared cache is filled by the proxy's own session, so an entry is
 * served to a client's principal only once the master answered that principal for that node
 * instance with those ACL names: a pass-through read, or an Open with READ, that the master
 * allowed. A grant is bound to the node's instance and ACL generation, so a SetACL on the node (a
 * new ACL generation) or a re-created node takes it away; a changed ACL file (noticed by polling
 * the ACL directory, {@link #aclFiles}) drops every grant, as does a failed poll. Until the first
 * poll has succeeded nothing is granted.
 *
 * <p>A decision is recorded only if no ACL change was noticed between the call that carried it
 * being sent and its answer: the caller takes {@link #era()} first and hands it to {@link #grant}.
 * At most {@code limit} grants are kept; beyond it all are dropped (each principal's next read
 * passes through once).
 *
 * <p><b>Absence grants</b> ({@link #grantAbsence}): the master answered {@code principal} that the
 * node at a path does not exist, which it does only after checking read permission on the node's
 * directory. They are dropped with every grant, and in addition at every successful ACL listing
 * ({@link #aclFiles}), changed or not: the directory's ACL names can change by a SetACL on the
 * directory, which invalidates nothing the proxy's session holds, so an absence grant is trusted
 * for at most about one listing period. Pure; thread-safe (every method holds this object's monitor).
 */
public final class ReadGrants {
    private record Key(String principal, String path) {
    }

    private record Grant(long instance, long aclGeneration) {
    }

    private final Map<Key, Grant> grants = new HashMap<>();
    private final Set<Key> absences = new HashSet<>();
    private final int limit;
    private String aclFingerprint;
    private long era;
    private long drops;

    /** @param limit the most grants kept before all are dropped */
    public ReadGrants(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a grant limit must be positive, was " + limit);
        }
        this.limit = limit;
    }

    /** Taken before the call whose answer may grant: a grant carrying an older era is ignored. */
    public synchronized long era() {
        return era;
    }

    /**
     * The master allowed {@code principal} to read node {@code instance} at {@code path} (cell
     * relative) with ACL generation {@code aclGeneration}, in answer to a call sent in {@code era}.
     */
    public synchronized void grant(String principal, String path, long instance, long aclGeneration, long era) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(path, "path");
        if (era != this.era || aclFingerprint == null) {
            return; // an ACL change was noticed since the call was sent (or none was ever checked)
        }
        if (size() >= limit && !grants.containsKey(new Key(principal, path))) {
            dropAll();
        }
        grants.put(new Key(principal, path), new Grant(instance, aclGeneration));
    }

    /**
     * The master told {@code principal} that nothing exists at {@code path} (cell relative), in
     * answer to an Open sent in {@code era}: it may be served that absence from the cache.
     */
    public synchronized void grantAbsence(String principal, String path, long era) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(path, "path");
        if (era != this.era || aclFingerprint == null) {
            return;
        }
        Key k = new Key(principal, path);
        if (size() >= limit && !absences.contains(k)) {
            dropAll();
        }
        absences.add(k);
    }

    /** Whether {@code principal} may be served the cached absence of {@code path}. */
    public synchronized boolean absenceGranted(String principal, String path) {
        return absences.contains(new Key(principal, path));
    }

    /** Whether {@code principal} may be served the cached node {@code instance} with that ACL generation. */
    public synchronized boolean granted(String principal, String path, long instance, long aclGeneration) {
        Grant g = grants.get(new Key(principal, path));
        return g != null && g.instance() == instance && g.aclGeneration() == aclGeneration;
    }

    /**
     * What the ACL directory looks like now (names, instances and content generations of its files,
     * in one string): when it differs from the last poll, every grant goes.
     */
    public synchronized void aclFiles(String fingerprint) {
        Objects.requireNonNull(fingerprint, "fingerprint");
        if (!fingerprint.equals(aclFingerprint)) {
            dropAll();
            aclFingerprint = fingerprint;
        }
        absences.clear(); // a directory's SetACL is seen by no invalidation: absence grants last one listing
    }

    /** The ACL directory could not be read: nothing is granted until a poll succeeds again. */
    public synchronized void aclUnknown() {
        if (aclFingerprint != null || size() > 0) {
            dropAll();
        }
        aclFingerprint = null;
    }

    private void dropAll() {
        grants.clear();
        absences.clear();
        era++;
        drops++;
    }

    /** Whether the last poll of the ACL directory succeeded (grants can be made). */
    public synchronized boolean aclKnown() {
        return aclFingerprint != null;
    }

    /** Grants held: cached reads and absences. */
    public synchronized int size() {
        return grants.size() + absences.size();
    }

    /** How many times every grant was dropped (ACL changes, failed polls, the limit). */
    public synchronized long drops() {
        return drops;
    }
}
