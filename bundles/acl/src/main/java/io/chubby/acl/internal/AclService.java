package io.chubby.acl.internal;

import io.chubby.spi.Authenticator;
import io.chubby.spi.Authorizer;
import io.chubby.spi.CellRequest;
import io.chubby.spi.ChangeListener;
import io.chubby.spi.MetricSource;
import io.chubby.spi.NamespaceView;
import io.chubby.spi.NodeChange;
import io.chubby.spi.ReplicaConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Access control of one replica: the {@link Authorizer} (decisions from the replicated ACL files,
 * Apache Shiro inside), a {@link ChangeListener} that evicts changed ACL files from the cache, and,
 * when {@code acl.passwords.file} is set, an {@link Authenticator} registered beside them.
 * Optional and hot-swappable: inert until PID {@value ReplicaConfig#ACL_PID} is configured; a
 * changed configuration takes effect in place (no gap without an authorizer).
 *
 * <p>Threads: {@link #authorize} on transport I/O threads, concurrently; {@link #changes} on the
 * feed's thread; {@link #modified} on a DS thread. Settings are swapped as one immutable object.
 */
@Component(service = {Authorizer.class, ChangeListener.class, MetricSource.class}, immediate = true,
        configurationPid = ReplicaConfig.ACL_PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = AclService.Config.class)
public final class AclService implements Authorizer, ChangeListener, MetricSource {
    private final DecisionCounts decisions = new DecisionCounts();
    private static final Logger LOG = LoggerFactory.getLogger(AclService.class);
    private static final Logger AUDIT = LoggerFactory.getLogger("io.chubby.acl.audit");

    @ObjectClassDefinition(id = ReplicaConfig.ACL_PID, name = "Chubby access control (acl)",
            description = "Decides every call from the ACL files /ls/<cell>/acl/<name>; checks passwords")
    public @interface Config {
        @AttributeDefinition(description = "Principal names that bypass every check (comma-separated), "
                + "for bootstrapping")
        String acl_superusers() default "";

        @AttributeDefinition(description = "Whether connections that proved nothing (principal 'anonymous') may "
                + "create sessions")
        boolean acl_anonymous() default false;

        @AttributeDefinition(description = "File of 'user:<Shiro hash>' lines (chubby acl passwd); empty: no "
                + "password logins (no Authenticator is registered)")
        String acl_passwords_file() default "";

        @AttributeDefinition(description = "Failed logins per remote host per minute before its logins are "
                + "refused for the rest of that minute (0: no limit)")
        int acl_login_failures_per_minute() default 5;

        @AttributeDefinition(description = "Denial audit lines per second at most (0: no limit); the rest are "
                + "counted")
        int acl_audit_per_second() default 100;
    }

    /** Everything a configuration decides, swapped as a whole. */
    private record Settings(AccessRules rules, AuditLog audit, ShiroSecurity shiro, PasswordAuthenticator passwords,
                            String passwordsFile, String summary) {
    }

    private final AclFileCache cache = new AclFileCache();
    private final BundleContext context;
    private final LongSupplier nanos;
    private volatile Settings settings;
    // guarded by this
    private ServiceRegistration<Authenticator> authenticatorRegistration;

    @Activate
    public AclService(BundleContext context, Config config) {
        this(context, config, System::nanoTime);
    }

    /** Plain-Java constructor (tests): {@code context} may be null (no Authenticator is then registered). */
    AclService(BundleContext context, Config config, LongSupplier nanos) {
        this.context = context;
        this.nanos = nanos;
        apply(config);
        LOG.info("access control active: {}", settings.summary());
    }

    @Modified
    void modified(Config config) {
        // The old settings' Shiro is left to the garbage collector, not destroyed: a decision on
        // another thread may still be using it.
        apply(config);
        LOG.info("access control reconfigured: {}", settings.summary());
    }

    private synchronized void apply(Config c) {
        Set<String> superusers = Arrays.stream(c.acl_superusers().split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        String file = c.acl_passwords_file().strip();
        ShiroSecurity shiro = new ShiroSecurity(cache, file.isEmpty() ? null : new PasswordFile(Path.of(file)));
        PasswordAuthenticator passwords = file.isEmpty() ? null
                : new PasswordAuthenticator(shiro, new LoginLimiter(c.acl_login_failures_per_minute(), nanos));
        AccessRules rules = new AccessRules(superusers, c.acl_anonymous(), shiro::member);
        AuditLog audit = new AuditLog(c.acl_audit_per_second(), nanos, AUDIT::info);
        String summary = "superusers=" + superusers.stream().sorted().toList() + " anonymous=" + c.acl_anonymous()
                + " passwords.file=" + (file.isEmpty() ? "-" : file) + " login.failures.per.minute="
                + c.acl_login_failures_per_minute() + " audit.per.second=" + c.acl_audit_per_second();
        Settings old = settings;
        settings = new Settings(rules, audit, shiro, passwords, file, summary);
        if (old == null || !old.passwordsFile().equals(file) || passwords != null) {
            registerAuthenticator(passwords);
        }
    }

    /** Registers (or swaps, or withdraws) the Authenticator service: registered first, then the old one goes. */
    private void registerAuthenticator(PasswordAuthenticator passwords) {
        ServiceRegistration<Authenticator> old = authenticatorRegistration;
        authenticatorRegistration = null;
        if (passwords != null && context != null) {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("acl.passwords.file", settings.passwordsFile());
            authenticatorRegistration = context.registerService(Authenticator.class, passwords, props);
            LOG.info("password logins on: Authenticator registered, passwords file {}", settings.passwordsFile());
        }
        if (old != null) {
            unregister(old);
            if (passwords == null) {
                LOG.info("password logins off: Authenticator withdrawn");
            }
        }
    }

    private static void unregister(ServiceRegistration<?> r) {
        try {
            r.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping: the framework has unregistered it already
        }
    }

    /** The Authenticator in force (tests), or null when password logins are off. */
    Authenticator authenticator() {
        return settings.passwords();
    }

    @Override
    public Decision authorize(CellRequest request, NamespaceView namespace) {
        Settings s = settings;
        AccessRules.Verdict v = s.rules().decide(request, namespace);
        decisions.decided(v);
        if (!v.decision().allowed()) {
            s.audit().denied(request, v);
        }
        return v.decision();
    }

    /** The authorizer's series while the bundle runs (spi 1.11): decisions, denials by right. */
    @Override
    public List<Metric> metrics() {
        return decisions.metrics();
    }

    @Override
    public void changes(List<NodeChange> changes) {
        for (NodeChange c : changes) {
            if (c.path().startsWith(AclFile.DIR) && c.kind() != NodeChange.Kind.ACL_CHANGED) {
                cache.evict(c.path());
            }
        }
    }

    @Override
    public void gap(long fromIndex, long toIndex, String reason) {
        cache.clear();
        LOG.info("ACL file cache cleared: change feed gap {}..{} ({})", fromIndex, toIndex, reason);
    }

    AclFileCache cache() {
        return cache;
    }

    @Deactivate
    public synchronized void close() {
        if (authenticatorRegistration != null) {
            unregister(authenticatorRegistration);
            authenticatorRegistration = null;
        }
        // Shiro is left to the garbage collector, not destroyed, as in modified(): a request that took
        // this Authorizer before DS unregistered it may still be deciding on another thread, and a
        // destroyed manager has no authorizer (it failed such a call with a NullPointerException:
        // AclHotSwapIT, a bundle update under load). It holds no thread or file: it never makes
        // Shiro sessions.
        cache.clear();
        LOG.info("access control stopped");
    }
}
