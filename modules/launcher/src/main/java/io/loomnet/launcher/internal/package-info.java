/**
 * INTERNAL API: socket plumbing shared by the console and the gate. Not exported; may change at any time.
 *
 * <p>{@link io.loomnet.launcher.internal.TcpListener} owns a server socket, its accept thread and one
 * virtual thread per connection. It is stopped twice on purpose, idempotently: from the node's transport
 * stage (registered with {@code Node.addTransport}, so a node close shuts listeners before services stop)
 * and from the owning service's {@code onStop} (so {@code kill} releases the port too).
 */
package io.loomnet.launcher.internal;
