package io.chubby.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The CLI's class archive (lib/chubby-cli.jsa, written by bin/chubby-archive during package): a
 * {@code bin/chubby} call maps the command's classes from it (the JVM's class+load log names the
 * archive as their source); a copy of the distribution, for whose path the archive does not fit,
 * works the same and prints nothing about it; bin/chubby-archive run in the copy (its training
 * commands all succeed against the training replica) makes the copy's calls use an archive again. No cell: the command tries a port nothing listens on (exit 21).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CliArchiveIT {
    private static final String CLIENT_CLASS = "io.chubby.client.internal.ClientCore";

    /** Outcome of one call, with the JVM's class+load log. */
    private record Call(int exit, String out, String err, String classLog) {
    }

    private static Call call(Path home, Path dir) throws Exception {
        Path log = dir.resolve("classes-" + System.nanoTime() + ".log");
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/chubby").toString(), "--cell", "127.0.0.1:1",
                "--timeout", "1", "cat", "/ls/local/x"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("CHUBBY_CLI_OPTS", "-Xlog:class+load=info:file=" + log);
        pb.environment().remove("CHUBBY_LOG_LEVEL");
        Path out = dir.resolve("out-" + System.nanoTime());
        Path err = dir.resolve("err-" + System.nanoTime());
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bin/chubby did not finish");
        return new Call(p.exitValue(), Files.readString(out), Files.readString(err), Files.readString(log));
    }

    /** Where the class log says {@code className} came from. */
    private static String source(Call c, String className) {
        return c.classLog().lines().filter(l -> l.contains(" " + className + " source: ")).findFirst()
                .map(l -> l.substring(l.indexOf(" source: ") + 9)).orElse("(not loaded)");
    }

    @Test
    void callsMapTheirClassesFromTheArchiveAndACopyWithoutAFittingOneIsQuiet() throws Exception {
        Path dist = ExamOptions.dist();
        assertTrue(Files.size(dist.resolve("lib/chubby-cli.jsa")) > 0, "package wrote the archive");
        Path dir = ExamOptions.tempDir("archive");

        Call here = call(dist, dir);
        assertEquals(21, here.exit(), here::err);
        assertEquals("", here.out());
        assertEquals(1, here.err().lines().count(), here::err);
        assertTrue(source(here, CLIENT_CLASS).startsWith("shared objects file (top)"), source(here, CLIENT_CLASS));
        assertTrue(source(here, "io.chubby.cli.internal.command.CatCommand").startsWith("shared objects file"));

        Path copy = dir.resolve("copy");
        copyTree(dist, copy);
        Call moved = call(copy, dir);
        assertEquals(21, moved.exit(), moved::err);
        assertEquals("", moved.out(), "nothing about the archive on stdout");
        assertEquals(here.err(), moved.err(), "nor on stderr: the same one error line");
        assertFalse(source(moved, CLIENT_CLASS).startsWith("shared objects file"), "the archive does not fit the copy");

        Process archive = new ProcessBuilder(copy.resolve("bin/chubby-archive").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("archive.log").toFile()).start();
        assertTrue(archive.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, archive.exitValue(), () -> read(dir.resolve("archive.log")));
        assertTrue(read(dir.resolve("archive.log")).contains("class archive training: 0 command(s) against the training"
                + " replica failed"), () -> "the training took the commands' real paths: " + read(dir.resolve("archive.log")));
        Call rebuilt = call(copy, dir);
        assertEquals(21, rebuilt.exit(), rebuilt::err);
        assertTrue(source(rebuilt, CLIENT_CLASS).startsWith("shared objects file (top)"), source(rebuilt, CLIENT_CLASS));
        assertEquals(List.of(), leftovers(copy.resolve("lib")), "no temporary archive left behind");
    }

    private static List<String> leftovers(Path lib) throws IOException {
        try (var s = Files.list(lib)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp.")).toList();
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        Process cp = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).inheritIO().start();
        assertTrue(cp.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, cp.exitValue());
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + f + ")";
        }
    }
}
