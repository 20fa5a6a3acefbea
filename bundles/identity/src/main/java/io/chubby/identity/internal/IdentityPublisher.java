package io.chubby.identity.internal;

import io.chubby.spi.ReplicaConfig;
import io.chubby.spi.ReplicaIdentity;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this replica's {@link ReplicaIdentity} from PID {@value ReplicaConfig#PID}. The
 * service is registered by hand, and only when the configuration is valid: a bad one is one
 * ERROR line naming every problem and no service (the core components, which all need the
 * identity, stay inert), never a failed activation that only the OSGi log would mention. Keys of
 * other components found in this PID (the old one-file form) are never silently ignored: each
 * gets a WARN naming the PID it belongs to.
 */
@Component(configurationPid = ReplicaConfig.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {},
        immediate = true)
@Designate(ocd = IdentityPublisher.Config.class)
public final class IdentityPublisher {
    private static final Logger log = LoggerFactory.getLogger(IdentityPublisher.class);
    /** Keys Config Admin, DS (e.g. osgi.ds.satisfying.condition.target) and FileInstall add to every configuration. */
    private static final List<String> FRAMEWORK_PREFIXES = List.of("service.", "component.", "osgi.",
            "felix.fileinstall.");

    /**
     * The keys, for Metatype. Values are read from the raw properties instead, so that a wrong
     * value is reported by name rather than coerced to 0.
     */
    @ObjectClassDefinition(id = ReplicaConfig.PID, name = "Chubby replica: identity",
            description = "Who this replica is, shared by every core component: cell, id, members, data directory")
    public @interface Config {
        @AttributeDefinition(name = "Cell name", description = "The cell's name, a path component ([A-Za-z0-9._-])")
        String cell_name() default Identity.DEFAULT_CELL;

        @AttributeDefinition(name = "Replica id", description = "This replica's id in members (1..255)", min = "1",
                max = "255")
        int replica_id();

        @AttributeDefinition(name = "Members", description = "Every replica: id@host:clientPort:peerPort,...")
        String members();

        @AttributeDefinition(name = "Data directory", description = "This replica's data; the store lives below it")
        String data_dir();
    }

    private final ServiceRegistration<ReplicaIdentity> registration;

    @Activate
    public IdentityPublisher(BundleContext context, Map<String, Object> properties) {
        for (String warning : strayKeys(properties)) {
            log.warn("configuration key in the wrong PID pid={} {}", ReplicaConfig.PID, warning);
        }
        Identity identity;
        try {
            identity = Identity.from(properties);
        } catch (IllegalArgumentException e) {
            log.error("replica identity not published, the replica's components stay inactive pid={} problem=\"{}\"",
                    ReplicaConfig.PID, e.getMessage());
            registration = null;
            return;
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(ReplicaConfig.CELL_NAME, identity.cellName());
        props.put(ReplicaConfig.REPLICA_ID, identity.replicaId());
        registration = context.registerService(ReplicaIdentity.class, identity, props);
        log.info("replica identity published cell={} replica={} members={} dataDir={}", identity.cellName(),
                identity.replicaId(), identity.members(), identity.dataDir());
    }

    /** One message per key of {@code properties} that is not an identity key, naming where it belongs. */
    static List<String> strayKeys(Map<String, ?> properties) {
        List<String> out = new ArrayList<>();
        for (String key : new TreeSet<>(properties.keySet())) {
            if (ReplicaConfig.IDENTITY_KEYS.contains(key) || FRAMEWORK_PREFIXES.stream().anyMatch(key::startsWith)) {
                continue;
            }
            String reason;
            try {
                String pid = ReplicaConfig.pidOf(key);
                reason = "it belongs to PID " + pid + ": move it to etc/" + pid + ".cfg";
            } catch (IllegalArgumentException e) {
                reason = e.getMessage();
            }
            out.add("key=" + key + " reason=\"" + reason + "\"");
        }
        return out;
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
    }
}
