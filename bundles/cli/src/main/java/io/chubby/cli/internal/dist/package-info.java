/**
 * {@code chubby dist assemble}: the features of a distribution ({@code conf/features.properties}),
 * the OSGi resolution check of a chosen bundle set (Felix's resolver over an embedded framework,
 * in a class loader of its own over the distribution's {@code bin/felix.jar}), and the copy of the
 * chosen files into a new distribution directory.
 */
package io.chubby.cli.internal.dist;
