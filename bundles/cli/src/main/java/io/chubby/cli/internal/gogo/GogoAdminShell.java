package io.chubby.cli.internal.gogo;

import io.chubby.spi.AdminShell;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The replica's {@link AdminShell}: runs a command line in a fresh Gogo session whose output
 * (and the printed result value) is captured into the answer. The Gogo processor is optional and
 * dynamic: without it, every command fails with a message saying so. Each call has its own
 * session, so concurrent calls do not share state.
 */
@Component(service = AdminShell.class)
public final class GogoAdminShell implements AdminShell {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile CommandProcessor processor;

    @Override
    public Result execute(String commandLine) {
        CommandProcessor p = processor;
        if (p == null) {
            return new Result(1, "no Gogo shell in this replica: org.apache.felix.gogo.runtime is not running\n");
        }
        return execute(p, commandLine);
    }

    static Result execute(CommandProcessor p, String commandLine) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        int status = 0;
        try (CommandSession s = p.createSession(new ByteArrayInputStream(new byte[0]), ps, ps)) {
            Object value = s.execute(commandLine);
            if (value != null) {
                // Our own commands return text that already ends in a newline: do not add a blank line.
                String text = s.format(value, Converter.INSPECT).toString();
                if (!text.isEmpty()) {
                    ps.print(text.endsWith("\n") ? text : text + "\n");
                }
            }
        } catch (Exception e) {
            status = 1;
            ps.println(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        ps.flush();
        return new Result(status, buf.toString(StandardCharsets.UTF_8));
    }
}
