package io.chubby.it;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.options;

import io.chubby.api.DirEntry;
import io.chubby.api.Stat;
import io.chubby.client.ChubbyClient;
import io.chubby.client.ClientOptions;
import io.chubby.spi.Consensus;
import io.chubby.spi.ConsensusGroups;
import io.chubby.spi.ReplicaConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * The distribution's whole bundle set in Felix 7.0.5: the very jars it ships, the infrastructure
 * ones taken from conf/config.properties' start list and every jar of bundle/:
 * every bundle resolves and starts; each core component has its own PID with its own metatype
 * (the client and peer sides of the transport separately); once PID io.chubby.replica (the
 * identity) and a component PID (io.chubby.store) are configured for a one-replica cell every DS
 * component is satisfied (ACTIVE, or SATISFIED for a delayed service nobody uses yet) and reads its
 * own PID. Then the client library, inside the same container, does a round trip through MINA.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ServerBundlesIT {
    private static final String PID = ReplicaConfig.PID;
    /** Bundle -> the PIDs it describes in its metatype, exactly. */
    private static final Map<String, Set<String>> OWN_PIDS = Map.of(
            "io.chubby.identity", Set.of(ReplicaConfig.PID),
            "io.chubby.store", Set.of(ReplicaConfig.STORE_PID, ReplicaConfig.BACKUP_PID),
            "io.chubby.paxos", Set.of(ReplicaConfig.PAXOS_PID),
            "io.chubby.transport", Set.of(ReplicaConfig.PEER_TRANSPORT_PID, ReplicaConfig.CLIENT_TRANSPORT_PID),
            "io.chubby.acl", Set.of(ReplicaConfig.ACL_PID));
    private static final long WAIT_MS = 30_000;

    @Inject
    private BundleContext context;
    @Inject
    private ConfigurationAdmin configAdmin;
    @Inject
    private ServiceComponentRuntime scr;
    @Inject
    private MetaTypeService metatype;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        Path root = ExamOptions.tempDir("server-bundles");
        return options(
                ExamOptions.base(),
                ExamOptions.launcherSystemBundles(),
                ExamOptions.productBundles(),
                // FileInstall is part of the set; point it at an empty dir of its own
                frameworkProperty("felix.fileinstall.dir").value(root.resolve("etc").toString()),
                frameworkProperty("felix.fileinstall.tmpdir").value(root.resolve("fi-tmp").toString()),
                frameworkProperty("felix.fileinstall.enableConfigSave").value("false"));
    }

    @Test(timeout = 120_000)
    public void bundlesResolveComponentsActivateAndClientRoundTrips() throws Exception {
        assertEveryBundleActive();
        assertEachComponentDescribesItsOwnPid();

        // a component PID first: it waits for the identity
        Configuration store = configAdmin.getConfiguration(ReplicaConfig.STORE_PID, "?");
        Hashtable<String, Object> storeProps = new Hashtable<>();
        storeProps.put("store.cache.mb", "16");
        store.update(storeProps);
        int clientPort = ExamOptions.freePort();
        int peerPort = ExamOptions.freePort();
        Path data = ExamOptions.tempDir("replica-data");
        Configuration c = configAdmin.getConfiguration(PID, "?");
        Hashtable<String, Object> props = new Hashtable<>();
        // strings, exactly as FileInstall passes a .cfg file's values
        props.put("cell.name", "local");
        props.put("replica.id", "1");
        props.put("members", "1@127.0.0.1:" + clientPort + ":" + peerPort);
        props.put("data.dir", data.toString());
        c.update(props);

        awaitComponentsSatisfied();
        assertEquals("the store reads its own PID", "16", componentProperty("io.chubby.store.internal.BdbStore",
                "store.cache.mb"));
        roundTrip("127.0.0.1:" + clientPort);
        assertGroupZeroOnly();
    }

    /**
     * Consensus (docs/PARTITIONING.md step 3): the Consensus service is group 0's
     * ({@code chubby.group=0}) and ConsensusGroups is registered beside it with group 0 open only:
     * nothing in a cell of today opens another group.
     */
    private void assertGroupZeroOnly() {
        ServiceReference<Consensus> consensus = context.getServiceReference(Consensus.class);
        assertEquals(0, consensus.getProperty("chubby.group"));
        ServiceReference<ConsensusGroups> ref = context.getServiceReference(ConsensusGroups.class);
        assertTrue("ConsensusGroups registered", ref != null);
        ConsensusGroups groups = context.getService(ref);
        try {
            assertEquals(List.of(0), groups.opened());
            assertEquals(0, groups.open(0).status().group());
            assertEquals(context.getService(consensus).epoch(), groups.open(0).epoch());
        } finally {
            context.ungetService(ref);
            context.ungetService(consensus);
        }
    }

    /**
     * Metatype: each core bundle describes exactly its own PIDs, and every key of an OCD belongs
     * to that PID by the prefix rule every writer of configuration uses.
     */
    private void assertEachComponentDescribesItsOwnPid() {
        for (Map.Entry<String, Set<String>> e : OWN_PIDS.entrySet()) {
            Bundle b = ExamOptions.find(context, e.getKey());
            MetaTypeInformation info = metatype.getMetaTypeInformation(b);
            assertEquals(e.getKey() + " describes its own PIDs", e.getValue(), Set.of(info.getPids()));
            for (String pid : info.getPids()) {
                for (AttributeDefinition ad : info.getObjectClassDefinition(pid, null)
                        .getAttributeDefinitions(ObjectClassDefinition.ALL)) {
                    assertEquals(pid + " key " + ad.getID(), pid, ReplicaConfig.pidOf(ad.getID()));
                }
            }
        }
    }

    /** A configuration property of the named component's (single) configuration, as a string. */
    private String componentProperty(String component, String key) {
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (d.name.equals(component)) {
                for (ComponentConfigurationDTO cc : scr.getComponentConfigurationDTOs(d)) {
                    return String.valueOf(cc.properties.get(key));
                }
            }
        }
        throw new AssertionError("no configuration of component " + component);
    }

    private void assertEveryBundleActive() {
        List<String> bad = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getState() != Bundle.ACTIVE && b.getHeaders().get("Fragment-Host") == null) {
                bad.add(b.getSymbolicName() + " state=" + b.getState());
            }
        }
        assertTrue("bundles not ACTIVE: " + bad, bad.isEmpty());
        for (String bsn : List.of("io.chubby.api", "io.chubby.protocol", "io.chubby.identity", "io.chubby.store", "io.chubby.paxos",
                "io.chubby.transport", "io.chubby.cell", "io.chubby.client", "io.chubby.cli")) {
            assertTrue("product bundle " + bsn + " is installed", ExamOptions.find(context, bsn) != null);
        }
    }

    private void awaitComponentsSatisfied() throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        List<String> problems;
        do {
            problems = componentProblems();
            if (problems.isEmpty()) {
                return;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < deadline);
        fail("DS components not satisfied after " + WAIT_MS + " ms:\n  " + String.join("\n  ", problems));
    }

    /** Every component that is not ACTIVE/SATISFIED, with the references it misses. */
    private List<String> componentProblems() {
        List<String> out = new ArrayList<>();
        Collection<ComponentDescriptionDTO> descriptions = scr.getComponentDescriptionDTOs();
        if (descriptions.stream().noneMatch(d -> d.bundle.symbolicName.startsWith("io.chubby."))) {
            out.add("no io.chubby DS component registered at all");
        }
        for (ComponentDescriptionDTO d : descriptions) {
            String name = d.bundle.symbolicName + "/" + d.name;
            if (!scr.isComponentEnabled(d)) {
                out.add(name + " is disabled");
                continue;
            }
            Collection<ComponentConfigurationDTO> configs = scr.getComponentConfigurationDTOs(d);
            boolean needsReplicaPid = List.of(d.configurationPid).contains(PID);
            if (configs.isEmpty()) {
                // An optional component waiting for a PID of its own is inert by design; anything
                // else (or one on the replica PID, which is configured) must have a configuration.
                if (!"require".equals(d.configurationPolicy) || needsReplicaPid) {
                    out.add(name + " has no configuration (policy " + d.configurationPolicy + ")");
                }
                continue;
            }
            for (ComponentConfigurationDTO cc : configs) {
                if (cc.state != ComponentConfigurationDTO.ACTIVE && cc.state != ComponentConfigurationDTO.SATISFIED) {
                    StringBuilder sb = new StringBuilder(name + " state=" + stateName(cc.state));
                    for (UnsatisfiedReferenceDTO u : cc.unsatisfiedReferences) {
                        sb.append(" missing ").append(u.name).append(' ').append(u.target == null ? "" : u.target);
                    }
                    if (cc.failure != null) {
                        sb.append(" failure=").append(cc.failure.lines().findFirst().orElse(""));
                    }
                    out.add(sb.toString());
                }
            }
        }
        return out;
    }

    private static String stateName(int state) {
        return switch (state) {
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "UNSATISFIED_CONFIGURATION";
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "UNSATISFIED_REFERENCE";
            case ComponentConfigurationDTO.SATISFIED -> "SATISFIED";
            case ComponentConfigurationDTO.ACTIVE -> "ACTIVE";
            case ComponentConfigurationDTO.FAILED_ACTIVATION -> "FAILED_ACTIVATION";
            default -> "state " + state;
        };
    }

    private static void roundTrip(String address) {
        ClientOptions opts = ClientOptions.builder().cell(address).clientName("ServerBundlesIT")
                .callTimeout(Duration.ofSeconds(20)).build();
        try (ChubbyClient client = ChubbyClient.connect(opts)) {
            String dir = "/ls/local/it";
            String file = dir + "/hello";
            byte[] value = "hello through MINA".getBytes(StandardCharsets.UTF_8);
            client.mkdir(dir);
            Stat written = client.write(file, value);
            assertEquals(value.length, written.size());
            assertArrayEquals(value, client.read(file));
            List<DirEntry> entries = client.list(dir);
            assertEquals(List.of("hello"), entries.stream().map(DirEntry::name).toList());
            assertEquals(value.length, client.stat(file).size());
            client.delete(file);
            assertFalse(client.exists(file));
            assertTrue(client.list(dir).isEmpty());
            client.delete(dir);
            assertFalse(client.exists(dir));
        }
    }
}
