package io.chubby.cli.internal.dist;

import org.apache.felix.framework.FrameworkFactory;
import org.apache.felix.resolver.Logger;
import org.apache.felix.resolver.ResolverImpl;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.resource.Capability;
import org.osgi.resource.Namespace;
import org.osgi.resource.Requirement;
import org.osgi.resource.Resource;
import org.osgi.resource.Wiring;
import org.osgi.service.resolver.HostedCapability;
import org.osgi.service.resolver.ResolutionException;
import org.osgi.service.resolver.ResolveContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that a set of bundle jars resolves, with Felix's resolver ({@code org.apache.felix.resolver},
 * the one inside the framework a replica runs) over the bundles' own requirements and
 * capabilities as Felix parses them, and the system bundle's packages as {@code conf/config.properties}
 * sets them ({@code org.osgi.framework.system.packages.extra}) plus the running JDK's. Nothing is
 * started: an embedded Felix framework is only initialised (throwaway storage), the jars are
 * installed by reference, and the resolver is asked.
 *
 * <p>Loaded in a class loader of its own over {@code bin/felix.jar} and the CLI's jar
 * ({@link ResolverLoader}), so it speaks only JDK types to its caller: {@link #check} returns one
 * map per unresolved requirement, keys {@code jar}, {@code bundle}, {@code namespace},
 * {@code name} (the package, extender, ... the requirement names, or empty), {@code requirement}
 * (readable), {@code providers} (jars that would provide it but do not resolve themselves; empty
 * when nothing in the set provides it) and {@code detail} (the resolver's own message).
 */
public final class BundleResolution {
    private static final Pattern NAMED = Pattern.compile("\\((osgi\\.[a-z.]+|[a-z.]+)=([^)*]+)\\)");
    private static final Pattern FLOOR = Pattern.compile("\\(version>=([^)]+)\\)");
    private static final Pattern CEILING = Pattern.compile("\\(!\\(version>=([^)]+)\\)\\)");

    private BundleResolution() {
    }

    /**
     * @param storage             an empty scratch directory for the framework (the caller deletes it)
     * @param systemPackagesExtra the value of {@code org.osgi.framework.system.packages.extra}, or empty
     * @param jars                the bundles, as a replica would install them
     * @return the unresolved requirements; empty when every bundle resolves
     */
    public static List<Map<String, String>> check(Path storage, String systemPackagesExtra, List<Path> jars)
            throws BundleException, InterruptedException {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put("felix.log.level", "0");
        if (!systemPackagesExtra.isBlank()) {
            config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, systemPackagesExtra);
        }
        Framework fw = new FrameworkFactory().newFramework(config);
        fw.init();
        try {
            Map<Resource, Path> byRevision = new LinkedHashMap<>();
            for (Path jar : jars) {
                Bundle b = fw.getBundleContext().installBundle("reference:" + jar.toUri());
                byRevision.put(b.adapt(BundleRevision.class), jar);
            }
            BundleRevision system = fw.adapt(BundleRevision.class);
            return new Check(system, fw.adapt(BundleWiring.class), byRevision).run();
        } finally {
            fw.stop();
            fw.waitForStop(10_000);
        }
    }

    /** One resolution over a fixed set of revisions. */
    private static final class Check {
        private final BundleRevision system;
        private final Wiring systemWiring;
        private final Map<Resource, Path> jars;
        private final ResolverImpl resolver = new ResolverImpl(new Logger(Logger.LOG_ERROR), 1);

        Check(BundleRevision system, Wiring systemWiring, Map<Resource, Path> jars) {
            this.system = system;
            this.systemWiring = systemWiring;
            this.jars = jars;
        }

        List<Map<String, String>> run() {
            Set<Resource> resolved;
            try {
                resolved = resolver.resolve(context(List.of(), jars.keySet())).keySet();
            } catch (ResolutionException e) {
                resolved = Set.of(); // optional resources never fail the whole run; keep going per bundle
            }
            List<Map<String, String>> out = new ArrayList<>();
            for (Resource r : jars.keySet()) {
                if (resolved.contains(r)) {
                    continue;
                }
                try {
                    resolver.resolve(context(List.of(r), List.of()));
                } catch (ResolutionException e) {
                    out.addAll(explain(r, e));
                }
            }
            return out;
        }

        private List<Map<String, String>> explain(Resource r, ResolutionException e) {
            List<Map<String, String>> out = new ArrayList<>();
            Collection<Requirement> reqs = e.getUnresolvedRequirements();
            for (Requirement req : reqs == null ? List.<Requirement>of() : reqs) {
                Set<String> providers = new LinkedHashSet<>();
                for (Capability c : findProviders(req)) {
                    Path p = jars.get(c.getResource());
                    providers.add(p == null ? "the system bundle" : p.toString());
                }
                out.add(row(req.getResource(), req, String.join(",", providers), e.getMessage()));
            }
            if (out.isEmpty()) {
                out.add(row(r, null, "", e.getMessage()));
            }
            return out;
        }

        private Map<String, String> row(Resource r, Requirement req, String providers, String detail) {
            Map<String, String> m = new LinkedHashMap<>();
            Path jar = jars.get(r);
            m.put("jar", jar == null ? "" : jar.toString());
            m.put("bundle", r instanceof BundleRevision br ? br.getSymbolicName() + " " + br.getVersion() : r.toString());
            m.put("namespace", req == null ? "" : req.getNamespace());
            String filter = req == null ? "" : req.getDirectives().getOrDefault(Namespace.REQUIREMENT_FILTER_DIRECTIVE, "");
            Matcher named = NAMED.matcher(filter);
            String name = req != null && named.find() && named.group(1).equals(req.getNamespace()) ? named.group(2) : "";
            m.put("name", name);
            m.put("requirement", req == null ? "" : readable(req.getNamespace(), name, filter));
            m.put("providers", providers);
            m.put("detail", detail == null ? "" : detail);
            return m;
        }

        private static String readable(String namespace, String name, String filter) {
            String kind = switch (namespace) {
                case "osgi.wiring.package" -> "package";
                case "osgi.wiring.bundle" -> "bundle";
                case "osgi.wiring.host" -> "fragment host";
                case "osgi.extender" -> "extender";
                case "osgi.ee" -> "execution environment";
                default -> namespace;
            };
            if (name.isEmpty()) {
                return kind + " " + filter;
            }
            Matcher floor = FLOOR.matcher(filter);
            Matcher ceiling = CEILING.matcher(filter);
            String range = "";
            if (floor.find()) {
                range = ceiling.find() ? " [" + floor.group(1) + "," + ceiling.group(1) + ")" : " " + floor.group(1) + "+";
            }
            return kind + " " + name + range;
        }

        private ResolveContext context(Collection<Resource> mandatory, Collection<Resource> optional) {
            return new ResolveContext() {
                @Override
                public Collection<Resource> getMandatoryResources() {
                    return mandatory;
                }

                @Override
                public Collection<Resource> getOptionalResources() {
                    return optional;
                }

                @Override
                public List<Capability> findProviders(Requirement requirement) {
                    return Check.this.findProviders(requirement);
                }

                @Override
                public int insertHostedCapability(List<Capability> capabilities, HostedCapability hosted) {
                    capabilities.add(hosted);
                    return capabilities.size() - 1;
                }

                @Override
                public boolean isEffective(Requirement requirement) {
                    String effective = requirement.getDirectives().get(Namespace.REQUIREMENT_EFFECTIVE_DIRECTIVE);
                    return effective == null || Namespace.EFFECTIVE_RESOLVE.equals(effective);
                }

                @Override
                public Map<Resource, Wiring> getWirings() {
                    return Map.of(system, systemWiring);
                }
            };
        }

        /** The system bundle's capabilities first, then the jars' in install order. */
        List<Capability> findProviders(Requirement req) {
            Filter filter = filter(req);
            List<Capability> out = new ArrayList<>();
            List<Resource> candidates = new ArrayList<>();
            candidates.add(system);
            candidates.addAll(jars.keySet());
            for (Resource r : candidates) {
                for (Capability c : r.getCapabilities(req.getNamespace())) {
                    if (filter == null || filter.matches(c.getAttributes())) {
                        out.add(c);
                    }
                }
            }
            return out;
        }

        private static Filter filter(Requirement req) {
            String f = req.getDirectives().get(Namespace.REQUIREMENT_FILTER_DIRECTIVE);
            if (f == null) {
                return null;
            }
            try {
                return FrameworkUtil.createFilter(f);
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException("bad filter in a requirement of " + req.getResource() + ": " + f, e);
            }
        }
    }
}
