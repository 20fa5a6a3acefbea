package io.chubby.it;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 23: every optional bundle (dns-bridge, acl, proxy, partitioning, mirror, metrics, console) declares its
 * configuration with metatype and is inert until configured, read from the jars the distribution
 * ships (their Declarative Services and metatype descriptors, as bnd wrote them):
 * <ul>
 * <li>each configurable component's PID has a metatype OCD and a Designate (factory or not);</li>
 * <li>the components that do the bundle's work require their configuration
 * ({@code configuration-policy="require"}): dns-bridge, acl, proxy, the mirror;</li>
 * <li>the rest is the known list, each inert on its own: metrics and console have
 * {@code configuration-policy="optional"} (every key has a default) but only register HTTP
 * Whiteboard servlets and web console pages, which nothing serves until the replica's HTTP port is
 * configured ({@code etc/org.apache.felix.http.cfg}; the framework default is
 * {@code org.osgi.service.http.port=-1}); the mirror's registry, its Gogo commands and its
 * read-only filter run unconfigured but hold no mirror and refuse nothing until a mirror factory
 * configuration exists. A new component outside this list fails here.</li>
 * </ul>
 */
class OptionalBundlesConfigIT {
    private static final List<String> OPTIONAL = List.of("chubby-dns-bridge", "chubby-acl", "chubby-proxy",
            "chubby-partitioning", "chubby-mirror", "chubby-metrics", "chubby-console");
    /** Components of optional bundles that run without their configuration, and the policy they have. */
    private static final Map<String, String> UNCONFIGURED = Map.of(
            "io.chubby.metrics.internal.MetricsComponent", "optional",
            "io.chubby.console.internal.ConsoleComponent", "optional",
            "io.chubby.mirror.internal.MirrorRegistry", "optional",
            "io.chubby.mirror.internal.MirrorCommands", "optional",
            "io.chubby.mirror.internal.ReadOnlyFilter", "optional");

    @Test
    void everyOptionalBundleDeclaresItsConfigurationAndIsInertWithoutIt() throws Exception {
        Map<String, String> unconfigured = new TreeMap<>();
        List<String> report = new ArrayList<>();
        for (String name : OPTIONAL) {
            Path jar = ExamOptions.dist().resolve("bundle").resolve(name + ".jar");
            Set<String> ocds = new HashSet<>();
            Set<String> designated = new HashSet<>();
            Set<String> ocdrefs = new HashSet<>();
            List<Element> components = new ArrayList<>();
            try (ZipFile z = new ZipFile(jar.toFile())) {
                for (Enumeration<? extends ZipEntry> en = z.entries(); en.hasMoreElements(); ) {
                    ZipEntry e = en.nextElement();
                    if (!e.getName().startsWith("OSGI-INF/") || !e.getName().endsWith(".xml")) {
                        continue;
                    }
                    Document d;
                    try (InputStream in = z.getInputStream(e)) {
                        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
                        f.setNamespaceAware(false);
                        d = f.newDocumentBuilder().parse(in);
                    }
                    if (e.getName().startsWith("OSGI-INF/metatype/")) {
                        for (Element ocd : elements(d, "OCD")) {
                            ocds.add(ocd.getAttribute("id"));
                        }
                        for (Element des : elements(d, "Designate")) {
                            String pid = des.hasAttribute("factoryPid") ? des.getAttribute("factoryPid")
                                    : des.getAttribute("pid");
                            Element object = (Element) des.getElementsByTagName("Object").item(0);
                            // the Designate points at an OCD of this bundle: the attributes the PID takes
                            assertTrue(object != null && !object.getAttribute("ocdref").isEmpty(), name + ": " + pid);
                            designated.add(pid);
                            ocdrefs.add(object.getAttribute("ocdref"));
                        }
                    } else {
                        components.addAll(elements(d, "scr:component"));
                    }
                }
            }
            assertTrue(!components.isEmpty(), name + " has components");
            assertTrue(ocds.containsAll(ocdrefs), name + ": every Designate's OCD is in the bundle: " + ocdrefs + " vs " + ocds);
            assertTrue(!ocds.isEmpty(), name + " declares its configuration with metatype");
            Set<String> pids = new TreeSet<>();
            for (Element c : components) {
                String cname = c.getAttribute("name");
                String policy = c.hasAttribute("configuration-policy") ? c.getAttribute("configuration-policy") : "optional";
                String pid = c.hasAttribute("configuration-pid") ? c.getAttribute("configuration-pid") : cname;
                if (!policy.equals("require")) {
                    unconfigured.put(cname, policy);
                }
                if (policy.equals("ignore") || UNCONFIGURED.containsKey(cname) && !designated.contains(pid)) {
                    continue; // no configuration of its own
                }
                pids.add(pid);
                assertTrue(designated.contains(pid), name + ": component " + cname + " (PID " + pid
                        + ") has no metatype Designate; designated: " + designated);
            }
            report.add(name + ": PIDs " + pids + ", metatype OCDs " + new TreeSet<>(ocds));
        }
        report.forEach(l -> System.out.println("OptionalBundlesConfigIT: " + l));
        assertEquals(new TreeMap<>(UNCONFIGURED), unconfigured,
                "components of optional bundles that run without a configuration of their own");
    }

    private static List<Element> elements(Document d, String tag) {
        NodeList nl = d.getElementsByTagName(tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nl.getLength(); i++) {
            out.add((Element) nl.item(i));
        }
        return out;
    }
}
