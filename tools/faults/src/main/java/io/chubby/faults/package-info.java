/**
 * The fault-injection suite (issue 8): a fault-injecting TCP proxy per link ({@link io.chubby.faults.TcpProxy}),
 * a cell of real replica processes wired through those proxies ({@link io.chubby.faults.CellUnderTest}),
 * a seeded {@link io.chubby.faults.Nemesis}, client workers recording a {@link io.chubby.faults.History}
 * (register clients, lock clients writing to a sequencer-checking {@link io.chubby.faults.ProtectedRegister},
 * and holders of ephemeral files that get killed -9), and the checks on it
 * ({@link io.chubby.faults.HistoryChecks}, {@link io.chubby.faults.LockChecks}). {@link io.chubby.faults.FaultRun}
 * ties them together (on a partitioned cell also {@code DirectoryWorker} and
 * {@code DirectoryLedger}); {@link io.chubby.faults.SoakMain} is the long run's command line. A test tool, not a bundle.
 */
package io.chubby.faults;
