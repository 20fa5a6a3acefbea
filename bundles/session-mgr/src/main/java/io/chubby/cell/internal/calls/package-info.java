/**
 * Client calls: {@link io.chubby.cell.internal.calls.CallRouter} decodes each request once
 * ({@code RequestDecoder}: operation, authenticated handle, resolved path), checks mastership,
 * epoch and session, admits it through the plug-in pipeline ({@code RequestPipeline}: request
 * filters, then the authorizer; fail closed when enforced) and hands it to the class that answers
 * it: {@code CellCalls} (location, status, admin), {@code SessionCalls}, {@code FileCalls},
 * {@code LockCalls}. Nothing is proposed before admission.
 */
package io.chubby.cell.internal.calls;
