package io.chubby.cli.internal.gogo;

import io.chubby.spi.AdminShell;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GogoAdminShellTest {

    /** A processor whose sessions print "ran: LINE" and return the line's length, or fail on "fail". */
    private static CommandProcessor processor() {
        return (CommandProcessor) Proxy.newProxyInstance(GogoAdminShellTest.class.getClassLoader(),
                new Class<?>[] {CommandProcessor.class}, (proxy, m, args) -> {
                    PrintStream out = new PrintStream((OutputStream) args[1], true, StandardCharsets.UTF_8);
                    return Proxy.newProxyInstance(GogoAdminShellTest.class.getClassLoader(),
                            new Class<?>[] {CommandSession.class}, (p2, m2, a2) -> switch (m2.getName()) {
                                case "execute" -> {
                                    String line = a2[0].toString();
                                    if (line.startsWith("ret ")) {
                                        yield line.substring(4).replace("\\n", "\n");
                                    }
                                    if (line.equals("fail")) {
                                        throw new IllegalArgumentException("Command not found: fail");
                                    }
                                    out.println("ran: " + line);
                                    yield line.length();
                                }
                                case "format" -> a2[0] instanceof String str ? str : "len=" + a2[0];
                                default -> null;
                            });
                });
    }

    @Test
    void capturesOutputAndResult() {
        AdminShell.Result r = GogoAdminShell.execute(processor(), "lb -s");
        assertEquals(0, r.status());
        assertEquals("ran: lb -s\nlen=5\n", r.output());
    }

    @Test
    void textResultsGetNoExtraBlankLine() {
        assertEquals("a\nb\n", GogoAdminShell.execute(processor(), "ret a\\nb\\n").output());
        assertEquals("a\n", GogoAdminShell.execute(processor(), "ret a").output());
        assertEquals("", GogoAdminShell.execute(processor(), "ret ").output());
    }

    @Test
    void failureIsStatusOneWithTheMessage() {
        AdminShell.Result r = GogoAdminShell.execute(processor(), "fail");
        assertEquals(1, r.status());
        assertEquals("Command not found: fail\n", r.output());
    }

    @Test
    void withoutGogoEveryCommandFailsClearly() {
        AdminShell.Result r = new GogoAdminShell().execute("lb");
        assertEquals(1, r.status());
        assertEquals("no Gogo shell in this replica: org.apache.felix.gogo.runtime is not running\n", r.output());
    }
}
