package io.chubby.paxos.internal;

import io.chubby.spi.Member;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An operator's changes of a group's members on a replica's {@link GroupHost} (issue 19; the
 * {@code paxos:member} and {@code paxos:members} commands): one replica added (as a learner until
 * it caught up, then the configuration entry) or removed at a time, through
 * {@link GroupHost#proposeMembers}, and the members as applied here. Runs on the caller's thread,
 * waiting for the loop ({@link GroupHost#onLoop}); holds no state of its own.
 */
final class MemberChanges {
    /** The fewest members an operator's removal leaves a group of three or more with. */
    static final int MIN_MEMBERS = 3;

    private final GroupHost host;

    MemberChanges(GroupHost host) {
        this.host = host;
    }

    /**
     * Adds replica {@code m} to group {@code group} (issue 19; run on its master): as a learner
     * first, until it is caught up (at most {@code catchUpMs}: else the learner is dropped and this
     * throws), then the configuration entry with {@code m} added; returns once it is applied here.
     *
     * @throws IllegalArgumentException the group is not open here, or {@code m}'s id is already a member
     * @throws IllegalStateException    not the serving master, the replica did not catch up, or the
     *                                  change was not chosen
     */
    String addMember(int group, Member m, long catchUpMs) {
        PaxosGroup g = host.openGroup(group);
        if (g.members().stream().anyMatch(x -> x.id() == m.id())) {
            throw new IllegalArgumentException("replica " + m.id() + " is already a member of group " + group + ": "
                    + g.members());
        }
        long start = host.now();
        boolean[] added = new boolean[1];
        host.onLoop(() -> added[0] = g.view().serving() && g.addLearner(m, host.now()));
        if (!added[0]) {
            throw new IllegalStateException(notMaster(g, group));
        }
        boolean[] caughtUp = new boolean[1];
        while (host.running() && host.now() - start < catchUpMs) {
            host.onLoop(() -> caughtUp[0] = g.caughtUp(m.id(), host.now()));
            if (caughtUp[0]) {
                break;
            }
            pause(20);
        }
        if (!caughtUp[0]) {
            host.onLoop(() -> g.removeLearner(m.id()));
            throw new IllegalStateException("replica " + m + " did not catch up within " + catchUpMs + " ms (is it "
                    + "running, joining, at that peer address?); group " + group + " unchanged: " + ids(g.members()));
        }
        List<Member> next = new ArrayList<>(g.members());
        next.add(m);
        try {
            return change(g, group, next, start, "replica " + m.id() + " added");
        } finally {
            host.onLoop(() -> g.removeLearner(m.id()));
        }
    }

    /** Removes replica {@code id} from group {@code group} (run on its master); see {@link #addMember}. */
    String removeMember(int group, int id) {
        PaxosGroup g = host.openGroup(group);
        if (g.members().stream().noneMatch(x -> x.id() == id)) {
            throw new IllegalArgumentException("replica " + id + " is not a member of group " + group + ": "
                    + ids(g.members()));
        }
        List<Member> next = g.members().stream().filter(x -> x.id() != id).toList();
        if (next.size() < MIN_MEMBERS && g.members().size() >= MIN_MEMBERS) {
            // 3 -> 2 would need both remaining replicas for every decision, and for the change
            // itself: one of them lost during it stalls the cell (CORE-API.md rule 1 note).
            throw new IllegalArgumentException("group " + group + " keeps at least " + MIN_MEMBERS
                    + " members: add the replacement first (chubby member replace), then remove " + id);
        }
        return change(g, group, next, host.now(), "replica " + id + " removed");
    }

    /** Group {@code group}'s members applied here, one line each. */
    String members(int group) {
        PaxosGroup g = host.openGroup(group);
        StringBuilder b = new StringBuilder("group " + group + " members (master " + g.view().masterId() + "):");
        for (Member m : g.members()) {
            b.append("\n  ").append(m.id()).append(" peer ").append(m.peerAddress()).append(" client ")
                    .append(m.clientAddress());
        }
        return b.toString();
    }

    private String change(PaxosGroup g, int group, List<Member> next, long start, String what) {
        try {
            host.proposeMembers(group, next).get(host.settings().leaseMs() * 10, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("group " + group + ": " + what + " failed: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("group " + group + ": " + what + " not applied within "
                    + host.settings().leaseMs() * 10 + " ms (outcome unknown: see paxos:members)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return "group " + group + ": " + what + " in " + (host.now() - start) + " ms; members " + ids(g.members());
    }

    private String notMaster(PaxosGroup g, int group) {
        return "replica " + host.settings().replicaId() + " does not serve group " + group + " (its master is " + g.view().masterId()
                + "): ask the master";
    }

    private static List<Integer> ids(List<Member> members) {
        return members.stream().map(Member::id).toList();
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
