package io.chubby.paxos.internal;

import io.chubby.spi.Member;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The address books one {@link PaxosGroup} knows, and so the replicas it needs links to: the
 * members of the configuration applied last, those of every configuration entry written to the
 * log above it, and the learners its master replicates to. Changed on the loop thread; the
 * members applied last are read from any thread.
 */
final class GroupAddressBooks {
    /** The members of the configuration this replica applied last (its address book). */
    private volatile List<Member> members;
    /** Replicas this master replicates to before they are members (loop thread). */
    private final Map<Integer, Member> learners = new TreeMap<>();
    /** The address books of configuration entries written to the log above the applied index. */
    private final TreeMap<Long, List<Member>> written = new TreeMap<>();

    GroupAddressBooks(List<Member> members) {
        this.members = members;
    }

    /** The members of the configuration applied last, with their addresses (any thread). */
    List<Member> members() {
        return members;
    }

    /** The configuration applied last changed (recovered, applied or installed with a snapshot). */
    void members(List<Member> applied) {
        members = applied;
    }

    /** A configuration entry with this address book was written to the log at {@code index}. */
    void written(long index, List<Member> book) {
        written.put(index, book);
    }

    /** Forgets the books written at or below {@code index} (applied, or below an installed snapshot). */
    void appliedThrough(long index) {
        written.headMap(index, true).clear();
    }

    void addLearner(Member m) {
        learners.put(m.id(), m);
    }

    /** Whether {@code id} was a learner. */
    boolean removeLearner(int id) {
        return learners.remove(id) != null;
    }

    /** The group detached: forgets the written books and the learners. */
    void clear() {
        written.clear();
        learners.clear();
    }

    /**
     * The replicas this group needs links to (loop thread): the members applied last and those of
     * every configuration entry written to the log above them (an added replica must hear the
     * entry that adds it; a removed one is dropped once its removal is applied).
     */
    Set<Member> linkNeeds() {
        Set<Member> out = new LinkedHashSet<>(members);
        written.values().forEach(out::addAll);
        out.addAll(learners.values());
        return out;
    }

    /** Whether every member of {@link #linkNeeds()} is in {@code peers} (allocation-free). */
    boolean linkNeedsWithin(List<Member> peers) {
        for (Member m : members) {
            if (!peers.contains(m)) {
                return false;
            }
        }
        for (List<Member> book : written.values()) {
            for (Member m : book) {
                if (!peers.contains(m)) {
                    return false;
                }
            }
        }
        for (Member m : learners.values()) {
            if (!peers.contains(m)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code m} is in {@link #linkNeeds()}. */
    boolean needsLink(Member m) {
        if (members.contains(m) || learners.containsValue(m)) {
            return true;
        }
        for (List<Member> book : written.values()) {
            if (book.contains(m)) {
                return true;
            }
        }
        return false;
    }
}
