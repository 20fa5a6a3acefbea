package io.chubby.cli.internal.gogo;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Gogo command {@code chubby:bundle list|chunk|install|update|deploy|uninstall} inside a replica, what
 * {@code chubby bundle} runs through the admin channel ({@link ReplicaBundles} does the work).
 * Immediate: at activation (the replica's start) it installs again the bundles an operator added to this replica
 * ({@code INSTANCE/bundles/}), on a thread of its own so the framework's start is not held up.
 * Needs the framework property {@code chubby.instance} (set by {@code bin/chubby-server}); a
 * framework without it (a test container) gets a command that says so.
 */
@Component(service = BundleCommands.class, configurationPolicy = ConfigurationPolicy.IGNORE, immediate = true,
        property = {"osgi.command.scope=chubby", "osgi.command.function=bundle"})
public final class BundleCommands {
    private static final Logger log = LoggerFactory.getLogger(BundleCommands.class);
    static final String USAGE = "usage: chubby:bundle list | chunk NAME OFFSET BASE64 | install NAME SHA256"
            + " | update NAME SHA256 | deploy NAME SHA256 | uninstall SYMBOLIC-NAME";

    private final ReplicaBundles bundles;

    @Activate
    public BundleCommands(BundleContext context) {
        String instance = context.getProperty("chubby.instance");
        this.bundles = instance == null || instance.isBlank() ? null : new ReplicaBundles(context, Path.of(instance));
        if (bundles != null) {
            Thread t = new Thread(() -> bundles.restore().forEach(l -> log.info("replica bundle {}", l)),
                    "chubby-bundle-restore");
            t.setDaemon(true);
            t.start();
        }
    }

    BundleCommands(ReplicaBundles bundles) {
        this.bundles = bundles;
    }

    public String bundle(String... args) {
        try {
            return run(args);
        } catch (IOException e) {
            throw new IllegalStateException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private String run(String... args) throws IOException {
        if (bundles == null) {
            throw new IllegalStateException("this framework has no chubby.instance property (not started by "
                    + "bin/chubby-server): no place to keep bundles");
        }
        if (args.length == 0) {
            throw new IllegalArgumentException(USAGE);
        }
        String op = args[0];
        String result = switch (op) {
            case "list" -> args.length == 1 ? bundles.list() : null;
            case "chunk" -> args.length == 4 ? bundles.chunk(args[1], Long.parseLong(args[2]), args[3]) : null;
            case "install" -> args.length == 3 ? bundles.install(args[1], args[2]) : null;
            case "update" -> args.length == 3 ? bundles.update(args[1], args[2]) : null;
            case "deploy" -> args.length == 3 ? bundles.deploy(args[1], args[2]) : null;
            case "uninstall" -> args.length == 2 ? bundles.uninstall(args[1]) : null;
            default -> null;
        };
        if (result == null) {
            throw new IllegalArgumentException(USAGE);
        }
        return result;
    }
}
