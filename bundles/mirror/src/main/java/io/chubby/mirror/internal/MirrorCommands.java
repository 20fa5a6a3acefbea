package io.chubby.mirror.internal;

import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands {@code mirror:status} (one line per mirror of this replica, see
 * {@link MirrorStatus#line}) and {@code mirror:confirm NAME} (accept the source root as it is now,
 * so a reconciliation may remove more than the cap). What {@code chubby mirror status|confirm} runs
 * through the admin channel.
 */
@Component(service = MirrorCommands.class,
        property = {"osgi.command.scope=mirror", "osgi.command.function=status", "osgi.command.function=confirm"})
public final class MirrorCommands {
    private final MirrorRegistry registry;

    @Activate
    public MirrorCommands(@Reference MirrorRegistry registry) {
        this.registry = registry;
    }

    /** See the class comment. */
    public String status() {
        List<MirrorStatus> all = registry.statuses();
        if (all.isEmpty()) {
            return "no mirrors configured (factory PID io.chubby.mirror)";
        }
        StringBuilder b = new StringBuilder();
        for (MirrorStatus s : all) {
            b.append(s.line()).append('\n');
        }
        return b.toString().stripTrailing();
    }

    /** See the class comment. */
    public String confirm(String name) {
        if (!registry.confirm(name)) {
            throw new IllegalArgumentException("no mirror named '" + name + "'");
        }
        return "mirror " + name + ": source root confirmed, reconciling";
    }
}
