/**
 * Online backups of a replica's JE environment, their verification and their restore.
 *
 * <p>The edge ({@link io.chubby.store.backup.OnlineBackup}, {@link io.chubby.store.backup.BackupVerifier},
 * {@link io.chubby.store.backup.BackupRestorer}, {@link io.chubby.store.backup.StateReader},
 * {@link io.chubby.store.backup.DurableFiles}) touches files and JE; the rest is pure: the manifest
 * and its text form ({@link io.chubby.store.backup.Manifest}, {@link io.chubby.store.backup.ManifestCodec}),
 * backup names and which old backups a schedule deletes ({@link io.chubby.store.backup.BackupNames},
 * {@link io.chubby.store.backup.Retention}). Failures are {@link io.chubby.store.backup.BackupException}s
 * naming a {@link io.chubby.store.backup.BackupException.Problem}.
 *
 * <p>Not exported from the bundle: the replica uses it through {@code store:backup} and the
 * schedule; the CLI loads this bundle's jar to verify and restore.
 */
package io.chubby.store.backup;
