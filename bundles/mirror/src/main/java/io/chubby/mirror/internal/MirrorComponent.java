package io.chubby.mirror.internal;

import io.chubby.api.ChubbyException;
import io.chubby.client.ClientOptions;
import io.chubby.mirror.internal.plan.Subtrees;
import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusListener;
import io.chubby.spi.Member;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mirror, one factory configuration of PID {@code io.chubby.mirror}: registered with the
 * {@link MirrorRegistry} on every replica (so the target subtree is read-only wherever the master
 * is), and running a {@link MirrorRunner} only while this replica is master of the cell: started
 * on {@link #becameMaster}, stopped on {@link #lostMastership}, so it moves with the master.
 * A refused configuration (a loop, an overlapping target) is listed by {@code mirror:status} and
 * never runs.
 */
@Component(service = {}, immediate = true, configurationPid = MirrorComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = MirrorComponent.Config.class, factory = true)
public final class MirrorComponent implements ConsensusListener {
    static final String PID = "io.chubby.mirror";
    private static final Logger LOG = LoggerFactory.getLogger(MirrorComponent.class);

    @ObjectClassDefinition(name = "Chubby mirror",
            description = "Mirrors a subtree of another cell into this cell (one configuration per mirror).")
    public @interface Config {
        @AttributeDefinition(description = "Name of the mirror (letters, digits, . _ -)")
        String mirror_name();

        @AttributeDefinition(description = "Source cell: host:port,... or dns:<zone>@<server>")
        String mirror_source_cell();

        @AttributeDefinition(description = "Source subtree, e.g. /ls/global/config")
        String mirror_source_path();

        @AttributeDefinition(description = "Target subtree in this cell, e.g. /ls/local/global-config")
        String mirror_target_path();

        @AttributeDefinition(description = "Most nodes one reconciliation removes unless the source root is confirmed")
        int mirror_removal_cap() default 100;

        @AttributeDefinition(description = "Pause before reconnecting after a failure, ms")
        long mirror_retry_ms() default 1000;

        @AttributeDefinition(description = "Longest quiet spell of the mirror's session with this cell before a "
                + "cheap call keeps it from being ended as idle (below cell.session.idle.ms), ms")
        long mirror_target_touch_ms() default MirrorSettings.DEFAULT_TOUCH_MILLIS;

        @AttributeDefinition(description = "PEM CA certificates the source cell's replica certificates chain to: "
                + "TLS to the source (empty: plaintext)")
        String mirror_source_tls_ca() default "";

        @AttributeDefinition(description = "The mirror's client certificate at the source (PEM chain, or PKCS#12 "
                + ".p12/.pfx); the source cell takes its CN as the mirror's principal")
        String mirror_source_tls_cert() default "";

        @AttributeDefinition(description = "PEM PKCS#8 private key of mirror.source.tls.cert")
        String mirror_source_tls_key() default "";

        @AttributeDefinition(description = "Password of the source's PKCS#12 file or encrypted key",
                type = AttributeType.PASSWORD)
        String mirror_source_tls_password() default "";

        @AttributeDefinition(description = "User of a password login at the source (empty: none)")
        String mirror_source_user() default "";

        @AttributeDefinition(description = "File holding mirror.source.user's password on its first line")
        String mirror_source_password_file() default "";

        @AttributeDefinition(description = "PEM CA certificates this cell's replica certificates chain to: TLS "
                + "to this cell, where the mirror writes (empty: plaintext)")
        String mirror_target_tls_ca() default "";

        @AttributeDefinition(description = "The mirror's client certificate in this cell (PEM chain, or PKCS#12)")
        String mirror_target_tls_cert() default "";

        @AttributeDefinition(description = "PEM PKCS#8 private key of mirror.target.tls.cert")
        String mirror_target_tls_key() default "";

        @AttributeDefinition(description = "Password of this cell's PKCS#12 file or encrypted key",
                type = AttributeType.PASSWORD)
        String mirror_target_tls_password() default "";

        @AttributeDefinition(description = "User of a password login in this cell (empty: none)")
        String mirror_target_user() default "";

        @AttributeDefinition(description = "File holding mirror.target.user's password on its first line")
        String mirror_target_password_file() default "";
    }

    private final Consensus consensus;
    private final MirrorRegistry registry;
    private final MirrorSettings settings;
    private final MirrorStatus idle;
    private final boolean refused;
    private final AtomicLong confirmedRoot = new AtomicLong();
    private final TargetClient target;
    /** The running worker, or null; guarded by this. */
    private MirrorRunner runner;
    /** The last worker told to stop, until it has; guarded by this. */
    private MirrorRunner retiring;

    @Activate
    public MirrorComponent(@Reference Consensus consensus, @Reference MirrorRegistry registry, Config config) {
        this(consensus, registry, resolve(config));
    }

    private MirrorComponent(Consensus consensus, MirrorRegistry registry, Resolved resolved) {
        this(consensus, registry, resolved.settings(), resolved.error());
    }

    MirrorComponent(Consensus consensus, MirrorRegistry registry, MirrorSettings settings) {
        this(consensus, registry, settings, null);
    }

    /** With {@code configError} non-null the mirror is listed as refused for that reason and never runs. */
    private MirrorComponent(Consensus consensus, MirrorRegistry registry, MirrorSettings settings, String configError) {
        this.consensus = consensus;
        this.registry = registry;
        this.settings = settings;
        this.idle = new MirrorStatus(settings.name(), settings.sourceDescription(),
                settings.subtrees().target().toString(), MirrorState.STANDBY, 0, 0, 0, "", "");
        Set<String> own = consensus.members().stream().map(Member::clientAddress).collect(Collectors.toSet());
        String refusal = configError != null ? registry.refuse(this, settings.name(), this::status, configError)
                : registry.register(this, settings.name(), settings.subtrees(), sourceAddresses(settings), own,
                        this::status, this::confirm);
        this.refused = refusal != null;
        this.target = new TargetClient(settings.name(),
                consensus.members().stream().map(Member::clientAddress).toList(), registry,
                settings.targetSecurity());
        if (refused) {
            LOG.error("mirror {} refused: {}", settings.name(), refusal);
            return;
        }
        consensus.addListener(this);
        if (consensus.isMaster()) {
            start();
        }
        LOG.info("mirror {} configured: {} -> {} (source {}, target {})", settings.name(),
                settings.sourceDescription(), settings.subtrees().target(), settings.sourceSecurity(),
                settings.targetSecurity());
    }

    /** The settings of a configuration, or plaintext ones and why its credentials keys cannot be used. */
    private record Resolved(MirrorSettings settings, String error) {
    }

    private static Resolved resolve(Config config) {
        MirrorSettings plain = new MirrorSettings(config.mirror_name(), config.mirror_source_cell(),
                Subtrees.parse(config.mirror_source_path(), config.mirror_target_path()),
                config.mirror_removal_cap(), config.mirror_retry_ms(), config.mirror_target_touch_ms());
        try {
            return new Resolved(new MirrorSettings(plain.name(), plain.sourceCell(), plain.subtrees(),
                    plain.removalCap(), plain.retryMillis(), plain.touchMillis(), source(config).resolve(),
                    target(config).resolve()), null);
        } catch (IllegalArgumentException e) {
            return new Resolved(plain, e.getMessage());
        }
    }

    private static MirrorSecurity source(Config c) {
        return new MirrorSecurity("source", c.mirror_source_tls_ca(), c.mirror_source_tls_cert(),
                c.mirror_source_tls_key(), c.mirror_source_tls_password(), c.mirror_source_user(),
                c.mirror_source_password_file());
    }

    private static MirrorSecurity target(Config c) {
        return new MirrorSecurity("target", c.mirror_target_tls_ca(), c.mirror_target_tls_cert(),
                c.mirror_target_tls_key(), c.mirror_target_tls_password(), c.mirror_target_user(),
                c.mirror_target_password_file());
    }

    /** The source's addresses for the loop check; a DNS spec that cannot be resolved now names none. */
    private static List<String> sourceAddresses(MirrorSettings settings) {
        try {
            return ClientOptions.parseCell(settings.sourceCell());
        } catch (ChubbyException e) {
            LOG.warn("mirror {}: source cell {} not resolved now ({}); the loop check by address is skipped",
                    settings.name(), settings.sourceCell(), e.getMessage());
            return List.of();
        }
    }

    @Override
    public void becameMaster(long epoch) {
        start();
    }

    @Override
    public void lostMastership(long epoch) {
        stop(0);
    }

    private synchronized void start() {
        if (runner == null) {
            runner = new MirrorRunner(settings, target, Clock.systemUTC(), idle, confirmedRoot);
            runner.start();
            LOG.info("mirror {} started on this master", settings.name());
        }
    }

    private synchronized void stop(long waitMillis) {
        if (runner != null) {
            runner.stop(waitMillis);
            retiring = runner;
            runner = null;
        }
    }

    /** The runner's status; standby only once the last runner has really stopped. */
    private synchronized MirrorStatus status() {
        if (runner != null) {
            return runner.status();
        }
        if (retiring != null && !retiring.finished()) {
            return retiring.status().withDetail("stopping: this replica is no longer master");
        }
        return idle;
    }

    private synchronized void confirm() {
        if (runner != null) {
            runner.confirm();
        }
    }

    /** This mirror's status now (tests; the Gogo command reads it through the registry). */
    MirrorStatus currentStatus() {
        return status();
    }

    @Deactivate
    public void close() {
        if (!refused) {
            consensus.removeListener(this);
            stop(5_000);
            target.close();
        }
        registry.unregister(this, settings.name());
    }
}
