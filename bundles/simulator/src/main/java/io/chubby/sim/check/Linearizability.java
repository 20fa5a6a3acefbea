package io.chubby.sim.check;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Decides whether a history is linearizable with respect to a model: whether every operation can
 * be given a point between its invocation and its completion such that the operations, in that
 * order, are legal for the model. Operations of unknown outcome may be placed anywhere after their
 * invocation, or left out. Worst case exponential; fine for the few thousand operations per key a
 * test records.
 */
public final class Linearizability {

    /** The verdict; when not linearizable, the longest prefix the search could explain. */
    public record Result(boolean linearizable, int operations, List<Operation> longestLinearization,
                         long statesExplored) {
    }

    private static final class Event {
        final Operation op;
        final int id;
        final boolean call;
        Event match;
        Event prev;
        Event next;

        Event(Operation op, int id, boolean call) {
            this.op = op;
            this.id = id;
            this.call = call;
        }
    }

    private record Memo(BitSet linearized, Object state) {
    }

    private record Frame(Event call, Object state) {
    }

    private Linearizability() {
    }

    public static <S> Result check(Model<S> model, List<Operation> history) {
        List<Event> events = new ArrayList<>();
        int known = 0;
        for (int i = 0; i < history.size(); i++) {
            Operation op = history.get(i);
            if (op.known() && op.complete() < op.invoke()) {
                throw new IllegalArgumentException("operation completes before it is invoked: " + op);
            }
            Event call = new Event(op, i, true);
            events.add(call);
            if (op.known()) {
                Event ret = new Event(op, i, false);
                call.match = ret;
                ret.match = call;
                events.add(ret);
                known++;
            }
        }
        // by time; at equal times returns first, so touching operations are not taken as concurrent
        events.sort(Comparator.comparingLong((Event e) -> e.call ? e.op.invoke() : e.op.complete())
                .thenComparing(e -> e.call));
        Event head = new Event(null, -1, false);
        Event tail = head;
        for (Event e : events) {
            tail.next = e;
            e.prev = tail;
            tail = e;
        }

        Set<Memo> cache = new HashSet<>();
        Deque<Frame> stack = new ArrayDeque<>();
        BitSet linearized = new BitSet(history.size());
        S state = model.init();
        int knownLinearized = 0;
        List<Operation> best = List.of();
        long explored = 0;
        Event entry = head.next;
        while (knownLinearized < known) {
            if (entry == null) {
                // only calls of unknown-outcome operations remain ahead: backtrack
                if (stack.isEmpty()) {
                    return new Result(false, history.size(), best, explored);
                }
                Frame f = stack.pop();
                state = unlift(f, linearized);
                if (f.call.op.known()) {
                    knownLinearized--;
                }
                entry = f.call.next;
                continue;
            }
            if (entry.call) {
                S next = model.step(state, entry.op);
                explored++;
                if (next != null) {
                    BitSet after = (BitSet) linearized.clone();
                    after.set(entry.id);
                    if (cache.add(new Memo(after, next))) {
                        stack.push(new Frame(entry, state));
                        lift(entry);
                        linearized.set(entry.id);
                        if (entry.op.known()) {
                            knownLinearized++;
                        }
                        state = next;
                        if (stack.size() > best.size()) {
                            best = order(stack);
                        }
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            } else {
                // a completion whose operation could not be placed before it: backtrack
                if (stack.isEmpty()) {
                    return new Result(false, history.size(), best, explored);
                }
                Frame f = stack.pop();
                state = unlift(f, linearized);
                if (f.call.op.known()) {
                    knownLinearized--;
                }
                entry = f.call.next;
            }
        }
        return new Result(true, history.size(), order(stack), explored);
    }

    /** The operations on the stack, oldest first. */
    private static List<Operation> order(Deque<Frame> stack) {
        List<Operation> out = new ArrayList<>(stack.size());
        stack.descendingIterator().forEachRemaining(f -> out.add(f.call.op));
        return out;
    }

    private static void lift(Event call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Event ret = call.match;
        if (ret != null) {
            ret.prev.next = ret.next;
            if (ret.next != null) {
                ret.next.prev = ret.prev;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <S> S unlift(Frame f, BitSet linearized) {
        Event call = f.call;
        Event ret = call.match;
        if (ret != null) {
            ret.prev.next = ret;
            if (ret.next != null) {
                ret.next.prev = ret;
            }
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
        linearized.clear(call.id);
        return (S) Objects.requireNonNull(f.state);
    }
}
