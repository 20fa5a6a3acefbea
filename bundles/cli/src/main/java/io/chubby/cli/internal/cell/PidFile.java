package io.chubby.cli.internal.cell;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * A replica's pid file: one decimal process id. A replica counts as running when its pid file
 * names a live process; a missing, unreadable or stale file means "not running". Process lookup
 * is injectable so the alive logic is testable without real processes.
 */
public final class PidFile {
    private final Path file;
    private final LongFunction<Optional<ProcessHandle>> processes;

    public PidFile(Path file) {
        this(file, ProcessHandle::of);
    }

    public PidFile(Path file, LongFunction<Optional<ProcessHandle>> processes) {
        this.file = file;
        this.processes = processes;
    }

    public Path path() {
        return file;
    }

    /** The recorded pid, or empty when the file is missing or does not hold a positive number. */
    public Optional<Long> pid() {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            long pid = Long.parseLong(text);
            return pid > 0 ? Optional.of(pid) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * The live process the file names, or empty when it names none, a dead one, or one that
     * started after the file was written (the pid was reused by an unrelated process, which we
     * must never signal).
     */
    public Optional<ProcessHandle> alive() {
        return pid().flatMap(processes::apply).filter(ProcessHandle::isAlive).filter(this::startedBeforeWritten);
    }

    private boolean startedBeforeWritten(ProcessHandle p) {
        Optional<Instant> started = p.info().startInstant();
        if (started.isEmpty()) {
            return true; // the OS does not tell: trust the file
        }
        try {
            Instant written = Files.getLastModifiedTime(file).toInstant();
            // Slack for clock granularity: start times come from /proc in clock ticks.
            return !started.get().isAfter(written.plusSeconds(2));
        } catch (IOException e) {
            return false;
        }
    }

    public void write(long pid) {
        try {
            Files.writeString(file, pid + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }
}
