package io.chubby.cli.internal.command;

import io.chubby.api.ChubbyException;
import io.chubby.api.ErrorCode;
import io.chubby.cli.internal.CliContext;
import io.chubby.cli.internal.dist.Assembler;
import io.chubby.cli.internal.dist.FeatureCatalog.Feature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code chubby dist assemble --features F,... --out DIR}: a runnable distribution in DIR with the
 * files of the named features ({@code core} always) from this one ({@code CHUBBY_HOME}), after the
 * OSGi resolver has accepted its bundle sets. An unknown feature or a set that does not resolve is
 * refused with exit 22 (INVALID_ARGUMENT) and nothing is written. Talks to no cell.
 */
@Command(name = "assemble", description = {"Write a distribution with only the given features (core is always in it),",
        "from this one ($CHUBBY_HOME), after checking with the OSGi resolver that its bundles resolve.",
        "Features and their bundles: $CHUBBY_HOME/conf/features.properties."})
public final class DistAssembleCommand implements Callable<Integer> {
    @ParentCommand
    DistCommand dist;

    @Option(names = "--features", required = true, split = ",", paramLabel = "F,...",
            description = "Features to include, e.g. core,dns,acl (core is implied).")
    List<String> features = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Directory to write: absent or empty (or a distribution, with --force).")
    String out;

    @Option(names = "--force", description = "Replace DIR when it holds a distribution already.")
    boolean force;

    @Override
    public Integer call() {
        CliContext ctx = dist.ctx();
        PrintStream o = ctx.out();
        Path home = CellUpCommand.chubbyHome(ctx);
        Path target = ctx.resolve(out);
        if (target.startsWith(home.toAbsolutePath().normalize()) || home.toAbsolutePath().normalize().startsWith(target)) {
            throw invalid("--out " + target + " overlaps the source distribution " + home);
        }
        Assembler assembler = new Assembler(home);
        Assembler.Plan plan;
        try {
            Assembler.checkTarget(target, force);
            plan = assembler.plan(features);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        o.println("features: " + String.join(", ", plan.featureNames()) + " (known: "
                + String.join(", ", assembler.catalog().names()) + ")");
        o.flush();
        List<Assembler.Unresolved> unresolved = assembler.resolve(plan);
        if (!unresolved.isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (Assembler.Unresolved u : unresolved) {
                for (String line : u.lines()) {
                    o.println("unresolved in " + u.set() + ": " + line);
                    parts.add(line);
                }
            }
            o.flush();
            throw invalid("features " + String.join(",", plan.featureNames()) + " do not resolve: "
                    + String.join("; ", parts));
        }
        o.println("resolved: replica " + plan.jars("system").size() + " system/ + " + plan.jars("bundle").size()
                + " bundle/ jars" + (plan.proxyNode() ? "; proxy node " + plan.jars("system").size() + " system/ + "
                + plan.jars("proxy").size() + " proxy/ jars" : "") + " (Felix resolver, all requirements satisfied)");
        String command = "chubby dist assemble --features " + String.join(",", plan.featureNames()) + " --out " + target;
        try {
            assembler.write(plan, target, force, command);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        o.println("assembled " + target + ": bin/ lib/ conf/ system/ bundle/ deploy/" + (plan.proxyNode() ? " proxy/" : ""));
        for (Feature f : plan.features()) {
            if (!f.config().isEmpty()) {
                o.println("  " + f.name() + ": configured by " + f.config());
            }
        }
        o.println("next: " + target.resolve("bin/chubby") + " cell up --dir DIR (and " + target.resolve("bin/chubby-archive")
                + " for a faster CLI: its class archive fits one path)");
        o.flush();
        return 0;
    }

    private static ChubbyException invalid(String message) {
        return new ChubbyException(ErrorCode.INVALID_ARGUMENT, message);
    }
}
