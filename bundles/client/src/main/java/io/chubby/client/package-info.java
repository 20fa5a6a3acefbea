/**
 * The Java client library of the Chubby lock service: {@link io.chubby.client.ChubbyClient}
 * (connect to a cell, open {@link io.chubby.client.Handle handles}, convenience file calls,
 * session state), plus the static operator calls {@code status} and {@code admin}. Works in a
 * plain JVM and as an OSGi bundle (no services; just call {@code ChubbyClient.connect}).
 * Uses only {@code io.chubby.api} types and JDK types in its signatures.
 */
@Export
@Version("1.0.0")
package io.chubby.client;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
