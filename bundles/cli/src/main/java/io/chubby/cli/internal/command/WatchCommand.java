package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.api.Event;
import io.chubby.api.EventType;
import io.chubby.api.OpenOptions;
import io.chubby.api.SessionState;
import io.chubby.client.ChubbyClient;
import io.chubby.client.Handle;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code chubby watch PATH [--children]}: subscribes to the node's events and prints one line per
 * event ({@code TYPE PATH[ child=NAME] generation=N}) until interrupted, the session expires
 * (exit 17) or {@code --count} events were printed. Session changes print as {@code SESSION STATE}.
 * Stopped (SIGINT/SIGTERM), it closes its session before the process exits ({@link ChubbyCommand#connect}).
 */
@Command(name = "watch", description = {"Print one line per event of a node until interrupted:",
        "TYPE PATH [child=NAME] generation=N (CONTENTS_MODIFIED, HANDLE_INVALID, MASTER_FAILED_OVER;",
        "with --children also CHILD_ADDED, CHILD_REMOVED, CHILD_MODIFIED)."})
public final class WatchCommand implements Callable<Integer> {
    @ParentCommand
    ChubbyCommand root;

    @Parameters(paramLabel = "PATH")
    String path;

    @Option(names = "--children", description = "Also report children added, removed or modified (PATH is a directory).")
    boolean children;

    @Option(names = "--count", paramLabel = "N", description = "Exit after N events (default: run until interrupted).")
    int count;

    private sealed interface Item permits EventItem, StateItem {
    }

    private record EventItem(Event event) implements Item {
    }

    private record StateItem(SessionState state) implements Item {
    }

    @Override
    public Integer call() throws InterruptedException {
        Set<EventType> types = EnumSet.of(EventType.CONTENTS_MODIFIED, EventType.HANDLE_INVALID);
        if (children) {
            types.addAll(EnumSet.of(EventType.CHILD_ADDED, EventType.CHILD_REMOVED, EventType.CHILD_MODIFIED));
        }
        BlockingQueue<Item> items = new LinkedBlockingQueue<>();
        try (ChubbyClient c = root.connect(); Handle h = c.open(path, OpenOptions.read().withEvents(types))) {
            h.addEventListener(e -> items.add(new EventItem(e)));
            c.addSessionListener(s -> items.add(new StateItem(s)));
            root.ctx().err().println("watching " + path + " session=" + Long.toUnsignedString(c.sessionId())
                    + " events=" + types);
            int printed = 0;
            while (count <= 0 || printed < count) {
                Item item = items.poll(1, TimeUnit.SECONDS);
                if (root.ctx().waiter().stopping()) {
                    return 0; // stopped: the session is being closed, its end is not news
                }
                if (item instanceof EventItem ei) {
                    root.ctx().out().println(line(ei.event()));
                    root.ctx().out().flush();
                    printed++;
                } else if (item instanceof StateItem si) {
                    root.ctx().out().println("SESSION " + si.state());
                    root.ctx().out().flush();
                    if (si.state() == SessionState.EXPIRED) {
                        throw new ChubbyException(ErrorCode.SESSION_EXPIRED, "the session expired: events may be lost");
                    }
                }
            }
        }
        return 0;
    }

    /** {@code TYPE PATH[ child=NAME] generation=N}. */
    static String line(Event e) {
        return e.type() + " " + (e.path() == null || e.path().isEmpty() ? "-" : e.path())
                + (e.child() == null ? "" : " child=" + e.child()) + " generation=" + e.generation();
    }
}
