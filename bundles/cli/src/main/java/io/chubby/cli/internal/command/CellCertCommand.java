package io.chubby.cli.internal.command;

import io.chubby.cli.internal.CliContext;
import io.chubby.cli.internal.cell.CellLayout;
import io.chubby.cli.internal.cell.TlsConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;

/**
 * {@code chubby cell cert NAME}: a client certificate for principal NAME, signed by the throwaway CA
 * of a cell made with {@code cell up --tls}, so the quick start can show more principals than
 * {@code admin}: {@code DIR/tls/NAME.pem} / {@code .key} (CN NAME, clientAuth only), then the
 * {@code export CHUBBY_TLS_*} line that makes the CLI connect as NAME. An existing pair is reused.
 * Talks to no replica.
 */
@Command(name = "cert", description = {"Issue a client certificate for principal NAME from the throwaway CA of a cell",
        "made with 'cell up --tls' (DIR/tls/NAME.pem and .key; reused if they exist) and print its export line."})
public final class CellCertCommand implements Callable<Integer> {
    /** Principal names a certificate may carry: one ACL-file entry, nothing that names the cell's own files. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    @ParentCommand
    CellCommand cell;

    @Option(names = "--dir", paramLabel = "DIR", description = "Directory of the cell (default ./" + CellCommand.DEFAULT_DIR + ").")
    String dir;

    @Parameters(index = "0", paramLabel = "NAME", description = "The principal (the certificate's CN).")
    String name;

    @Option(names = "--server", description = {"A server certificate (serverAuth and clientAuth, SANs 127.0.0.1 and",
            "localhost), e.g. a proxy's: it serves clients and is the proxy's principal NAME upstream."})
    boolean server;

    @Override
    public Integer call() {
        CliContext ctx = cell.ctx();
        if (!NAME.matcher(name).matches() || name.equals("ca") || name.startsWith("replica-")
                || name.equals("anonymous")) {
            throw new ParameterException(cell.spec.commandLine(), "'" + name + "' cannot be a principal's certificate "
                    + "name: letters, digits, '.', '_' and '-', not 'ca', 'anonymous' or 'replica-*'");
        }
        Path cellDir = cell.dir(dir);
        Optional<CellLayout> layout = CellLayout.read(cellDir);
        if (layout.isEmpty()) {
            throw new IllegalStateException("no cell in " + cellDir + ": make one with 'chubby cell up --tls'");
        }
        TlsConfig tls = new TlsConfig(layout.get());
        if (!tls.present()) {
            throw new IllegalStateException("the cell in " + cellDir + " has no TLS: run 'chubby cell up --tls' first");
        }
        PrintStream out = ctx.out();
        if (server) {
            out.println(tls.issueServerCertificate(CellUpCommand.chubbyHome(ctx), name));
        } else {
            out.println(tls.issueClientCertificate(CellUpCommand.chubbyHome(ctx), name));
        }
        out.println(tls.exportLine(name));
        out.flush();
        return 0;
    }
}
