package io.chubby.sim;

import java.nio.charset.StandardCharsets;

/**
 * The group tag of a value the Paxos-level {@link Simulation} proposes: {@code g<group>:<command>},
 * so the value itself says which group it was proposed in and the cross-talk check can tell a
 * value of another group chosen or applied in this one. No-ops (empty values, a new master's
 * barrier and hole fillers) are written by the core of the group itself and carry no tag.
 */
final class GroupTags {
    private GroupTags() {
    }

    static byte[] tag(int group, String command) {
        return ("g" + group + ":" + command).getBytes(StandardCharsets.UTF_8);
    }

    /** The group a value was proposed in; -1 for an untagged value. */
    static int groupOf(byte[] value) {
        if (value.length < 3 || value[0] != 'g') {
            return -1;
        }
        int group = 0;
        for (int i = 1; i < value.length; i++) {
            byte b = value[i];
            if (b == ':') {
                return i == 1 ? -1 : group;
            }
            if (b < '0' || b > '9' || i > 3) {
                return -1;
            }
            group = group * 10 + (b - '0');
        }
        return -1;
    }
}
