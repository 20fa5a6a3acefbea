package io.chubby.partition.internal;

import io.chubby.api.ChubbyException;
import io.chubby.api.PartitionHash;
import io.chubby.spi.Partitioner;
import java.util.Hashtable;
import java.util.Map;
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
 * Registers the {@link Fnv1aPartitioner} as the cell's {@link Partitioner} while PID
 * {@value PartitionSettings#PID} holds a valid configuration, with the service properties
 * {@link Partitioner#PARTITIONS} (Integer N) and {@link Partitioner#HASH}. Without a configuration
 * the component is not even activated (configuration policy REQUIRE): installed but unconfigured
 * the bundle is inert. A configuration with a bad count or an unknown hash activates the component
 * but registers nothing, with one ERROR line saying what is wrong and what is accepted; a changed
 * configuration reactivates it (the old service goes, the new one comes).
 *
 * <p>The service is registered by hand rather than declared, so that a bad configuration leaves
 * no service at all (a declared service would be registered before activation could refuse it).
 * Whether the cell uses it is session-mgr's decision: only while N and the hash equal the ones
 * recorded in the cell (docs/PARTITIONING.md 1.1, 5).
 */
@Component(service = {}, immediate = true, configurationPid = PartitionSettings.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = PartitionerComponent.Config.class)
public final class PartitionerComponent {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionerComponent.class);

    @ObjectClassDefinition(id = PartitionSettings.PID, name = "Chubby partitioning",
            description = "The partitioner of a cell of N Paxos groups: node D/C lives on partition "
                    + "slot(D) mod N (docs/PARTITIONING.md). N is recorded in the cell once, while the cell holds "
                    + "only its root; a different N on a cell that holds data is refused.")
    public @interface Config {
        @AttributeDefinition(min = "1", max = "4096", description = "Number of partitions N (1..4096); every "
                + "replica of the cell must be given the same value")
        int partition_count() default 1;

        @AttributeDefinition(description = "Hash of a directory's cell-relative path; the only one is "
                + PartitionHash.NAME)
        String partition_hash() default PartitionHash.NAME;
    }

    private final ServiceRegistration<Partitioner> registration;

    @Activate
    public PartitionerComponent(BundleContext context, Map<String, Object> properties) {
        PartitionSettings settings;
        try {
            settings = PartitionSettings.from(properties);
        } catch (ChubbyException e) {
            LOG.error("partitioner not registered: configuration {} is invalid: {}; fix the configuration "
                    + "(e.g. etc/{}.cfg or 'chubby cell up --partitions N')", PartitionSettings.PID, e.getMessage(),
                    PartitionSettings.PID);
            registration = null;
            return;
        }
        Fnv1aPartitioner partitioner = new Fnv1aPartitioner(settings.count());
        registration = context.registerService(Partitioner.class, partitioner, serviceProperties(settings));
        LOG.info("partitioner registered partitions={} hash={}", settings.count(), settings.hashName());
    }

    /** The properties the cell reads before it uses the partitioner. */
    static Hashtable<String, Object> serviceProperties(PartitionSettings settings) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(Partitioner.PARTITIONS, settings.count());
        p.put(Partitioner.HASH, settings.hashName());
        return p;
    }

    /** Whether a partitioner is registered (false after a bad configuration). */
    boolean registered() {
        return registration != null;
    }

    @Deactivate
    public void deactivate() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework unregisters a stopping bundle's services itself
            }
        }
    }
}
