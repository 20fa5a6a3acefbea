/**
 * JMH micro-benchmarks inside one JVM (run with {@code benchmarks/jmh}): the client protocol codec,
 * the Paxos core's propose/ready/advance path on one in-memory replica, and the cell state
 * machine's apply. The client cache benchmark lives in {@code io.chubby.client.internal} because
 * the cache is package-private there.
 */
package io.chubby.bench.micro;
