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
import java.util.function.LongPredicate;

/**
 * A replica's pid file: one decimal process id. A replica counts as running when its pid file
 * names a live process that is not a zombie; a missing, unreadable or stale file means "not
 * running". Process lookup and the zombie test are injectable so the logic is testable without
 * real processes.
 */
public final class PidFile {
    /** What the pid file says about the replica's process. */
    public enum State {
        /** No pid file, or no number in it. */
        NONE,
        /** It names a process that is gone, or a pid now used by a process started after the file was written. */
        GONE,
        /** It names a process that has exited but is not reaped yet (after kill -9). */
        ZOMBIE,
        /** It names a running process. */
        RUNNING
    }

    /** The state, with the recorded pid (0 for NONE) and the process when RUNNING. */
    public record Status(State state, long pid, Optional<ProcessHandle> process) {
    }

    private final Path file;
    private final LongFunction<Optional<ProcessHandle>> processes;
    private final LongPredicate zombie;

    public PidFile(Path file) {
        this(file, ProcessHandle::of, ProcessLiveness::isZombie);
    }

    public PidFile(Path file, LongFunction<Optional<ProcessHandle>> processes) {
        this(file, processes, ProcessLiveness::isZombie);
    }

    public PidFile(Path file, LongFunction<Optional<ProcessHandle>> processes, LongPredicate zombie) {
        this.file = file;
        this.processes = processes;
        this.zombie = zombie;
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
     * The running process the file names, or empty when it names none, a dead one, a zombie, or
     * one that started after the file was written (the pid was reused by an unrelated process,
     * which we must never signal).
     */
    public Optional<ProcessHandle> alive() {
        return status().process();
    }

    /** What the file says: no pid, a process gone (or a reused pid), a zombie, or a running process. */
    public Status status() {
        Optional<Long> pid = pid();
        if (pid.isEmpty()) {
            return new Status(State.NONE, 0, Optional.empty());
        }
        Optional<ProcessHandle> p = processes.apply(pid.get()).filter(ProcessHandle::isAlive)
                .filter(this::startedBeforeWritten);
        if (p.isEmpty()) {
            return new Status(State.GONE, pid.get(), Optional.empty());
        }
        if (zombie.test(pid.get())) {
            return new Status(State.ZOMBIE, pid.get(), Optional.empty());
        }
        return new Status(State.RUNNING, pid.get(), p);
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
