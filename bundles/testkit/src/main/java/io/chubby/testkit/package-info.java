/**
 * The one set of test fakes of the {@code io.chubby.spi} services that every bundle's tests use:
 * {@link io.chubby.testkit.FakeConsensus}, {@link io.chubby.testkit.MemoryStateStore},
 * {@link io.chubby.testkit.MemoryLogStore}, {@link io.chubby.testkit.MemoryLogStores}, {@link io.chubby.testkit.MemoryNetwork},
 * {@link io.chubby.testkit.MemoryStateStores}, {@link io.chubby.testkit.FakeGroupCell} (replicas hosting
 * several Paxos groups, one shared log per group: {@link io.chubby.spi.ConsensusGroups}),
 * {@link io.chubby.testkit.CapturingConnection}, {@link io.chubby.testkit.FakeNamespace} (a
 * {@link io.chubby.spi.NamespaceView} the test builds), {@link io.chubby.testkit.MutableClock}, and
 * {@link io.chubby.testkit.Await} for conditions other threads make true.
 * Each fake follows the SPI contract it stands in for (same ordering, same failures), so that
 * code tested against it behaves the same against the real service. Test scope only.
 */
@Export
@Version("1.5.0")
package io.chubby.testkit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
