package io.chubby.mirror.internal.plan;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every node of one mirrored subtree, by relative path (sorted, so parents come before children),
 * as one walk saw it.
 *
 * <p>{@code authoritative} says the walk read the whole subtree from a session in good standing
 * (every directory listed, no call failed): only such a listing may justify removing nodes from
 * the target (a partial or failed read is never taken for "the source is empty", the
 * consul-replicate lesson). {@code rootInstance} is the instance number of the subtree's root,
 * 0 when the root does not exist.
 */
public record Listing(Map<String, NodeState> nodes, boolean authoritative, long rootInstance) {

    public Listing {
        nodes = Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
    }

    public static Listing authoritative(Collection<NodeState> nodes, long rootInstance) {
        return new Listing(index(nodes), true, rootInstance);
    }

    public static Listing partial(Collection<NodeState> nodes) {
        return new Listing(index(nodes), false, 0);
    }

    private static Map<String, NodeState> index(Collection<NodeState> nodes) {
        Map<String, NodeState> m = new TreeMap<>();
        for (NodeState n : nodes) {
            if (m.put(n.relative(), n) != null) {
                throw new IllegalArgumentException("node listed twice: '" + n.relative() + "'");
            }
        }
        return m;
    }

    public Optional<NodeState> get(String relative) {
        return Optional.ofNullable(nodes.get(relative));
    }

    public boolean rootExists() {
        return rootInstance != 0 || nodes.containsKey("");
    }

    public int size() {
        return nodes.size();
    }
}
