package io.chubby.it.plugin;

import io.chubby.spi.ChangeListener;
import io.chubby.spi.NodeChange;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * A change-feed listener bundle: writes every change it is given, one line each, to
 * {@code <chubby.instance>/log/feed.txt} ({@code GAP from to} for a gap), flushed after each batch.
 */
public final class FeedRecorder implements BundleActivator, ChangeListener {
    private BufferedWriter out;
    private ServiceRegistration<ChangeListener> registration;

    @Override
    public void start(BundleContext context) throws IOException {
        Path file = Path.of(context.getProperty("chubby.instance"), "log", "feed.txt");
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        registration = context.registerService(ChangeListener.class, this, null);
    }

    @Override
    public void stop(BundleContext context) throws IOException {
        registration.unregister();
        synchronized (this) {
            out.close();
        }
    }

    /** The line recorded for one change. */
    public static String line(NodeChange c) {
        return c.index() + " " + c.epoch() + " " + c.path() + " " + c.kind() + " " + c.instance() + " "
                + c.contentGeneration() + " " + c.aclGeneration() + " " + c.lockGeneration() + " " + c.checksum()
                + " " + c.size() + " " + c.stateChecksum();
    }

    @Override
    public synchronized void changes(List<NodeChange> changes) {
        try {
            for (NodeChange c : changes) {
                out.write(line(c));
                out.newLine();
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void gap(long fromIndex, long toIndex, String reason) {
        try {
            out.write("GAP " + fromIndex + " " + toIndex + " " + reason);
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
