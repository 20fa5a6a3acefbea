package io.chubby.paxos.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where a replica hosting several Paxos groups wants the masters of the groups it masters
 * (docs/PARTITIONING.md 1.3). Pure and deterministic: the loop hands it what it knows at a check
 * ({@link #next}) and carries out the move it returns with a handoff; it reads no clock and sends
 * nothing. Two rules, and never while a group is without a known master (an election runs) or a
 * handoff of this replica is under way, and never with one group open (a cell of one group never
 * moves its master):
 * <ul>
 *   <li><b>Home.</b> Group g's home is the member at position {@code g mod R} of the members sorted
 *   by id, so R replicas share the masters of R or more groups evenly. A master of g that is not g's
 *   home hands g home once the home replica has been caught up ({@code PaxosNode.caughtUp}) for
 *   {@code settleMs} without a break, unless the mastership is pinned (an operator's move-master,
 *   or an earlier overload move).</li>
 *   <li><b>Overload.</b> When the loop has been busy more than {@code overloadBusy} of its time for
 *   {@code overloadMs}, the replica hands its busiest unpinned group (most entries applied since
 *   the overload began) to the caught-up replica mastering the fewest groups, if that evens the
 *   load (it masters at least two fewer); pinned, so the home rule does not bring it back (it goes
 *   home after its next change of master). At most one such move per {@code overloadMs}. Busy
 *   includes time in the combined fsync, so a disk-bound loop counts as overloaded too.</li>
 * </ul>
 */
final class MasterPlacement {

    /** What the loop knows of one open group at a check. */
    record GroupFacts(int group, int masterId, boolean masterHere, boolean handingOff, boolean pinned,
                      Set<Integer> caughtUp, long applied) {
    }

    /** Hand {@code group} to {@code target}; {@code pinned}: the home rule will leave it there. */
    record Move(int group, int target, boolean pinned, String reason) {
    }

    private final int self;
    private final List<Integer> members;
    private final PlacementSettings settings;
    /** Per group mastered here: since when its home has been caught up without a break. */
    private final Map<Integer, Long> homeCaughtUpSince = new HashMap<>();
    /** Per group: entries applied when the current overload began. */
    private final Map<Integer, Long> appliedAtOverload = new HashMap<>();
    private long overloadedSince = Long.MIN_VALUE;
    private long lastOverloadMove = Long.MIN_VALUE;

    MasterPlacement(int self, List<Integer> members, PlacementSettings settings) {
        this.self = self;
        this.members = members.stream().sorted().toList();
        this.settings = settings;
    }

    /** Group {@code group}'s home replica. */
    int home(int group) {
        return members.get(Math.floorMod(group, members.size()));
    }

    /**
     * Whom a master leaving {@code g} (its state machine unregistered: a planned restart, a bundle
     * update) should hand it to: g's home if caught up, else the caught-up member first by id; 0
     * when none is caught up (then it leaves without a handoff and the cell fails over).
     */
    int successor(GroupFacts g) {
        int home = home(g.group());
        if (home != self && g.caughtUp().contains(home)) {
            return home;
        }
        for (int m : members) {
            if (m != self && g.caughtUp().contains(m)) {
                return m;
            }
        }
        return 0;
    }

    /**
     * The move to make now, if any (at most one per check).
     *
     * @param now    the loop's clock
     * @param groups every open group with a running node
     * @param busy   the loop's busy fraction over its last completed measuring window, 0..1
     */
    Optional<Move> next(long now, List<GroupFacts> groups, double busy) {
        trackOverload(now, groups, busy);
        if (groups.size() <= 1) {
            homeCaughtUpSince.clear();
            return Optional.empty();
        }
        boolean settled = true;
        for (GroupFacts g : groups) {
            settled &= g.masterId() != 0 && !g.handingOff();
        }
        trackHomes(now, groups);
        if (!settled) {
            return Optional.empty();
        }
        Optional<Move> overload = overloadMove(now, groups);
        return overload.isPresent() ? overload : homeMove(now, groups);
    }

    private void trackHomes(long now, List<GroupFacts> groups) {
        Map<Integer, Long> keep = new HashMap<>();
        for (GroupFacts g : groups) {
            int home = home(g.group());
            if (g.masterHere() && home != self && g.caughtUp().contains(home)) {
                keep.put(g.group(), homeCaughtUpSince.getOrDefault(g.group(), now));
            }
        }
        homeCaughtUpSince.clear();
        homeCaughtUpSince.putAll(keep);
    }

    private Optional<Move> homeMove(long now, List<GroupFacts> groups) {
        if (settings.settleMs() == 0) {
            return Optional.empty();
        }
        for (GroupFacts g : groups) {
            Long since = homeCaughtUpSince.get(g.group());
            if (since != null && !g.pinned() && now - since >= settings.settleMs()) {
                homeCaughtUpSince.remove(g.group());
                return Optional.of(new Move(g.group(), home(g.group()), false, "home"));
            }
        }
        return Optional.empty();
    }

    private void trackOverload(long now, List<GroupFacts> groups, double busy) {
        if (busy <= settings.overloadBusy() || settings.overloadMs() == 0) {
            overloadedSince = Long.MIN_VALUE;
            appliedAtOverload.clear();
            return;
        }
        if (overloadedSince == Long.MIN_VALUE) {
            overloadedSince = now;
        }
        for (GroupFacts g : groups) {
            appliedAtOverload.putIfAbsent(g.group(), g.applied());
        }
    }

    private Optional<Move> overloadMove(long now, List<GroupFacts> groups) {
        if (overloadedSince == Long.MIN_VALUE || now - overloadedSince < settings.overloadMs()
                || (lastOverloadMove != Long.MIN_VALUE && now - lastOverloadMove < settings.overloadMs())) {
            return Optional.empty();
        }
        Map<Integer, Integer> mastered = new HashMap<>();
        for (int m : members) {
            mastered.put(m, 0);
        }
        List<GroupFacts> mine = new ArrayList<>();
        for (GroupFacts g : groups) {
            mastered.merge(g.masterId(), 1, Integer::sum);
            if (g.masterHere()) {
                mine.add(g);
            }
        }
        GroupFacts busiest = null;
        long most = -1;
        for (GroupFacts g : mine) {
            if (g.pinned()) {
                continue; // placed on purpose (an operator, or an earlier overload move): left where it is
            }
            long done = g.applied() - appliedAtOverload.getOrDefault(g.group(), g.applied());
            if (done > most) {
                most = done;
                busiest = g;
            }
        }
        if (busiest == null) {
            return Optional.empty();
        }
        int target = 0;
        for (int m : members) {
            if (m != self && busiest.caughtUp().contains(m)
                    && (target == 0 || mastered.get(m) < mastered.get(target))) {
                target = m;
            }
        }
        if (target == 0 || mastered.get(target) + 2 > mastered.get(self)) {
            return Optional.empty(); // nobody caught up, or moving would not even the load
        }
        lastOverloadMove = now;
        overloadedSince = now;
        appliedAtOverload.clear();
        return Optional.of(new Move(busiest.group(), target, true, "overload"));
    }
}
