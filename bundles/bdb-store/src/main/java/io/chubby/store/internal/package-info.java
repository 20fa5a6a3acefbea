/**
 * The Berkeley DB JE store: {@link io.chubby.store.internal.BdbStore} opens one transactional JE
 * environment under {@code <data.dir>/je} and provides the {@link io.chubby.spi.LogStore} (Paxos
 * metadata and log, {@link io.chubby.store.internal.BdbLogStore}) and
 * {@link io.chubby.spi.StateStore} (replicated tables, {@link io.chubby.store.internal.BdbStateStore})
 * services, and the store's series ({@link io.chubby.store.internal.StoreMetricsComponent}: fsyncs
 * and batches counted by {@link io.chubby.store.internal.LogWriteStats}, JE's figures as
 * {@link io.chubby.store.internal.JeNumbers}). Not exported; plain-Java users (tests, simulator, benchmarks) call
 * {@link io.chubby.store.internal.BdbStore#open}.
 */
package io.chubby.store.internal;
