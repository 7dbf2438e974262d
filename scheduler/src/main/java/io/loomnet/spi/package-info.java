/**
 * Extension points for transports: how a node hands messages for other nodes to a transport
 * ({@link io.loomnet.spi.RemoteRouter}) and how a transport hands inbound traffic and peer failures back
 * ({@link io.loomnet.spi.RemoteInbox}). Used by the ZeroMQ cluster; not needed by applications.
 *
 * <p>Remote handles are ordinary handles whose node id is not the local node's; services address them
 * exactly like local ones.
 */
package io.loomnet.spi;
