package io.chubby.console.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.CreateMode;
import io.chubby.client.ClientSecurity;
import io.chubby.spi.Authenticator;
import io.chubby.spi.Authorizer;
import io.chubby.spi.CellOperation;
import io.chubby.spi.CellRequest;
import io.chubby.spi.Consensus;
import io.chubby.spi.NamespaceView;
import io.chubby.spi.Principal;
import io.chubby.spi.SessionView;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Chubby pages of the Apache Felix Web Console (cell, namespace, locks, sessions) and the
 * console's security provider. Registers one web console plug-in servlet per page and, when the
 * web console is wired to this bundle, its security provider ({@link ConsoleSecurity}, id
 * {@value ConsoleSecurity#PROVIDER_ID}; the distribution makes the web console wait for it). Reads the cell only through SPI services, all optional and dynamic: a page whose
 * service is missing says so. Configured from PID {@value #PID}; every key has a default.
 */
@Component(service = {}, immediate = true, configurationPid = ConsoleComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ConsoleComponent.Config.class)
public final class ConsoleComponent {
    static final String PID = "io.chubby.console";
    private static final String CATEGORY = "Chubby";
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleComponent.class);

    @ObjectClassDefinition(id = PID, name = "Chubby console pages",
            description = "The cell, namespace, locks and sessions pages of the Felix Web Console (/system/console) "
                    + "and who may use the console")
    public @interface Config {
        @AttributeDefinition(description = "Register the pages and the security provider (false: nothing)")
        boolean console_enabled() default true;

        @AttributeDefinition(description = "Without cell authentication: the console's user name (loopback only)")
        String console_user() default "admin";

        @AttributeDefinition(description = "Without cell authentication: the console's password as salted PBKDF2, "
                + "pbkdf2-sha256:<iterations>:<salt>:<key> (chubby console passwd writes it); empty: "
                + "console.password.sha256, else nobody gets in")
        String console_password_hash() default "";

        @AttributeDefinition(description = "Deprecated, unsalted: SHA-256 of the console's password in hex, used only "
                + "when console.password.hash is empty")
        String console_password_sha256() default "";

        @AttributeDefinition(description = "How long the cell page waits for each other replica's Status (ms)")
        long console_status_timeout_ms() default 1000;

        @AttributeDefinition(description = "PEM CA certificates the cell's replica certificates chain to: the cell "
                + "page asks the other replicas over TLS (chubby cell up --tls sets it; empty: plaintext)")
        String console_status_tls_ca() default "";
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Consensus consensus;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile NamespaceView namespace;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SessionView sessions;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Authenticator authenticator;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Authorizer authorizer;

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private final ExecutorService pool;
    private final Config config;
    private final LocalPassword password;

    @Activate
    public ConsoleComponent(BundleContext context, Config config) {
        this.config = config;
        this.password = LocalPassword.of(config.console_password_hash(), config.console_password_sha256());
        if (password.problem() != null) {
            LOG.error("{}: {}; without cell authentication nobody gets into the console", PID, password.problem());
        } else if (password.legacy()) {
            LOG.warn("{}: console.password.sha256 is an unsalted hash; replace it with console.password.hash "
                    + "(chubby console passwd)", PID);
        }
        if (!config.console_enabled()) {
            pool = null;
            LOG.info("console pages disabled ({}: console.enabled=false)", PID);
            return;
        }
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "chubby-console-status");
            t.setDaemon(true);
            return t;
        });
        CellProbe probe = new CellProbe(Duration.ofMillis(config.console_status_timeout_ms()), pool,
                statusSecurity(config.console_status_tls_ca()));
        page(context, CellPage.LABEL, CellPage.TITLE, path -> cellPage(probe));
        page(context, NamespacePage.LABEL, NamespacePage.TITLE, this::namespacePage);
        page(context, LocksPage.LABEL, LocksPage.TITLE, path -> locksPage());
        page(context, SessionsPage.LABEL, SessionsPage.TITLE, path -> sessionsPage());
        if (webConsoleWired()) {
            registrations.add(ConsoleSecurity.register(context, this::decide));
        } else {
            LOG.warn("no web console (org.apache.felix.webconsole.spi) wired to this bundle: no security provider "
                    + "registered; a web console installed later stays closed until this bundle is refreshed");
        }
        LOG.info("console pages registered: {}, {}, {}, {}", CellPage.LABEL, NamespacePage.LABEL, LocksPage.LABEL,
                SessionsPage.LABEL);
    }

    /** How the cell page reaches the other replicas: TLS with {@code ca} when set, else plaintext. */
    static ClientSecurity statusSecurity(String ca) {
        if (ca == null || ca.isBlank()) {
            return ClientSecurity.NONE;
        }
        Path file = Path.of(ca.trim());
        if (!Files.isReadable(file)) {
            // the page still shows this replica; the others read down saying why
            LOG.warn("{}: console.status.tls.ca {} does not exist or is not readable: the other replicas are asked "
                    + "in plaintext", PID, file);
            return ClientSecurity.NONE;
        }
        return ClientSecurity.builder().tlsFiles(file, null, null, null).build();
    }

    /**
     * Whether this bundle is wired to the web console's SPI package (an optional import): asked
     * here, since loading {@link ConsoleSecurity} without it fails.
     */
    private static boolean webConsoleWired() {
        try {
            Class.forName("org.apache.felix.webconsole.spi.SecurityProvider", false,
                    ConsoleComponent.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private void page(BundleContext context, String label, String title, Function<String, Rendered> render) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("felix.webconsole.label", label);
        props.put("felix.webconsole.title", title);
        props.put("felix.webconsole.category", CATEGORY);
        registrations.add(context.registerService(Servlet.class, new PageServlet(label, render), props));
    }

    private Rendered cellPage(CellProbe probe) {
        Consensus c = consensus;
        NamespaceView ns = namespace;
        if (c == null) {
            return missing("Consensus");
        }
        return CellPage.render(ns == null ? "?" : ns.cellName(), probe.rows(c));
    }

    private Rendered namespacePage(String path) {
        NamespaceView ns = namespace;
        if (ns == null) {
            return missing("NamespaceView");
        }
        String p = path == null || path.isBlank() ? "/" : path;
        var stat = ns.stat(p);
        boolean dir = stat != null && stat.directory();
        return NamespacePage.render(ns.cellName(), p, stat, dir ? ns.children(p) : List.of(),
                stat == null || dir ? null : ns.contents(p));
    }

    private Rendered locksPage() {
        SessionView v = sessions;
        if (v == null) {
            return missing("SessionView");
        }
        Map<Long, SessionView.Session> byId = v.sessions().stream()
                .collect(Collectors.toMap(SessionView.Session::id, s -> s));
        return LocksPage.render(v.locks(), byId, System.currentTimeMillis());
    }

    private Rendered sessionsPage() {
        SessionView v = sessions;
        return v == null ? missing("SessionView") : SessionsPage.render(v.sessions());
    }

    private static Rendered missing(String service) {
        return new Rendered(503, "<p class=\"chubby-missing\">The cell's " + service
                + " service is not available on this replica (the cell component is not running).</p>");
    }

    /** The gate for one request: the cell's login when it has one, else the console's own password. */
    private Gate.Decision decide(HttpServletRequest req) {
        Optional<Credentials> credentials = Credentials.fromBasic(req.getHeader("Authorization"));
        try {
            Authenticator auth = authenticator;
            if (auth != null) {
                return Gate.withCellLogin(credentials, c -> login(auth, c, req.getRemoteAddr()),
                        p -> isAdmin(p, req.getRemoteAddr()));
            }
            return Gate.local(credentials, req.getRemoteAddr(), config.console_user(), password);
        } finally {
            credentials.ifPresent(c -> Arrays.fill(c.password(), '\0'));
        }
    }

    private static Principal login(Authenticator auth, Credentials c, String remote) {
        try {
            return auth.authenticate(c.user(), c.password(), remote);
        } catch (ChubbyException e) {
            LOG.info("console login refused for {} from {}: {}", c.user(), remote, e.getMessage());
            return null;
        }
    }

    /** The cell's admin permission: the authorizer allows the principal an ADMIN call. */
    private boolean isAdmin(Principal p, String remote) {
        Authorizer a = authorizer;
        NamespaceView ns = namespace;
        if (a == null || ns == null) {
            return false;
        }
        CellRequest admin = new CellRequest(0, CellOperation.ADMIN, 0, 0, new ConsoleConnection(p, remote), null,
                Set.of(), CreateMode.NO);
        return a.authorize(admin, ns).allowed();
    }

    @Deactivate
    public void deactivate() {
        registrations.forEach(ServiceRegistration::unregister);
        registrations.clear();
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
