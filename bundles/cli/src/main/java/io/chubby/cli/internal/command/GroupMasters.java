package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.client.ReplicaStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Who masters each Paxos group (partition) of a partitioned cell, read from the replicas' Status
 * answers (their {@link ReplicaStatus#groups()}): per group the master named at the highest epoch,
 * with the client address that replica gives for itself. A cell of one partition reports no
 * groups: its master is the one MasterLocation names. Pure: the answers are the caller's.
 */
final class GroupMasters {
    /** Group {@code group}'s master: id 0 and a null address when no answer names one. */
    record Located(int group, int masterId, String address, long epoch) {
        /** {@code group=G master=ID address=A epoch=E} ({@code -} for what is not known). */
        String line() {
            return "group=" + group + " master=" + (masterId == 0 ? "-" : Integer.toString(masterId)) + " address="
                    + (address == null ? "-" : address) + " epoch=" + epoch;
        }
    }

    private GroupMasters() {
    }

    /**
     * Per group, ascending, its master as the answers name it; {@code addresses.get(k)} is where
     * {@code answers.get(k)} came from (the address of a replica that does not report its own).
     * Empty when no answer reports groups (a cell of one partition).
     */
    static List<Located> of(List<String> addresses, List<Optional<ReplicaStatus>> answers) {
        TreeMap<Integer, Located> groups = new TreeMap<>();
        for (Optional<ReplicaStatus> a : answers) {
            a.ifPresent(s -> s.groups().forEach(g -> groups.merge(g.group(),
                    new Located(g.group(), g.masterId(), null, g.epoch()), GroupMasters::newer)));
        }
        List<Located> out = new ArrayList<>();
        for (Located g : groups.values()) {
            out.add(new Located(g.group(), g.masterId(), addressOf(g.masterId(), addresses, answers), g.epoch()));
        }
        return out;
    }

    /**
     * Group {@code group}'s master among {@link #of}'s answer, with a known address.
     *
     * @throws ChubbyException CELL_UNAVAILABLE when no answer names a master of the group that
     *                         answered too (an election under way, or the group is not open)
     */
    static Located master(int group, List<Located> groups) {
        return groups.stream().filter(g -> g.group() == group && g.masterId() != 0 && g.address() != null).findFirst()
                .orElseThrow(() -> new ChubbyException(ErrorCode.CELL_UNAVAILABLE, "no replica that answered names a "
                        + "master of group " + group + " (groups " + groups.stream().map(Located::group).toList()
                        + "): an election may be under way, try again"));
    }

    private static Located newer(Located a, Located b) {
        if (a.masterId() == 0) {
            return b;
        }
        return b.masterId() != 0 && b.epoch() > a.epoch() ? b : a;
    }

    private static String addressOf(int id, List<String> addresses, List<Optional<ReplicaStatus>> answers) {
        for (int k = 0; k < answers.size() && id != 0; k++) {
            Optional<ReplicaStatus> s = answers.get(k);
            if (s.isPresent() && s.get().replicaId() == id) {
                String own = s.get().address();
                return own == null || own.isEmpty() ? addresses.get(k) : own;
            }
        }
        return null;
    }
}
