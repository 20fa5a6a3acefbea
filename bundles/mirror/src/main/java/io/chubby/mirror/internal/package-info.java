/**
 * The mirror's edge: the DS components (one {@link io.chubby.mirror.internal.MirrorComponent} per
 * factory configuration of PID {@code io.chubby.mirror}, the shared
 * {@link io.chubby.mirror.internal.MirrorRegistry}, the read-only
 * {@link io.chubby.mirror.internal.ReadOnlyFilter} and the {@code mirror:} Gogo commands), and the
 * worker that talks to both cells through the ordinary client library
 * ({@link io.chubby.mirror.internal.MirrorRunner}); the registry's series for the metrics bundle
 * ({@link io.chubby.mirror.internal.MirrorSeries}). Decisions live in the pure
 * {@code io.chubby.mirror.internal.plan} package.
 */
package io.chubby.mirror.internal;
