/**
 * A linearizability checker (Wing and Gong's search with Lowe's memoization, as in Porcupine and
 * Knossos) and the sequential models it checks histories against: a register with compare-and-set,
 * and a lock that hands out sequencers. Pure; used by the simulation and fault-injection suites.
 */
@Export
@Version("1.0.0")
package io.chubby.sim.check;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
