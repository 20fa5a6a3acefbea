/**
 * The Chubby pages of the Apache Felix Web Console (issue 22, the operator console). Pure parts:
 * {@link io.chubby.console.internal.CellPage}, {@link io.chubby.console.internal.NamespacePage},
 * {@link io.chubby.console.internal.LocksPage} and {@link io.chubby.console.internal.SessionsPage}
 * (model to HTML, everything printed escaped by {@link io.chubby.console.internal.Html}),
 * {@link io.chubby.console.internal.Agreement} (do the replicas' checksums agree),
 * {@link io.chubby.console.internal.Route} (which status a request gets) and
 * {@link io.chubby.console.internal.Gate} (who may use the console). The edge:
 * {@link io.chubby.console.internal.PageServlet} (a web console plug-in servlet),
 * {@link io.chubby.console.internal.CellProbe} (the other replicas' Status over the client
 * protocol), {@link io.chubby.console.internal.ConsoleSecurity} (the web console's security
 * provider) and {@link io.chubby.console.internal.ConsoleComponent} (the DS component). Nothing
 * here is exported.
 */
package io.chubby.console.internal;
