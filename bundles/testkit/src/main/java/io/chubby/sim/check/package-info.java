/**
 * A linearizability checker (Wing and Gong's search with Lowe's memoization, as in Porcupine and
 * Knossos) and the sequential models it checks histories against: a register with compare-and-set,
 * and a lock that hands out sequencers. Pure; used by the simulation and fault-injection suites.
 */
package io.chubby.sim.check;
