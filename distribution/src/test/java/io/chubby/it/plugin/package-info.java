/**
 * Plug-ins that integration tests package as bundles at run time ({@link io.chubby.it.PluginJar})
 * and install into a running replica: they see the server only through {@code io.chubby.spi}.
 */
package io.chubby.it.plugin;
