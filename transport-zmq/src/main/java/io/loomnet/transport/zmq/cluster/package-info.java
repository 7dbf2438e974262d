/**
 * The cluster: location-transparent services across nodes over ZeroMQ, with failure detection and exact
 * accounting.
 *
 * <p>Each node binds one inbox (a one-worker machine whose {@code InboxWorker} decodes batches straight into
 * mailboxes) and keeps one {@code PeerLink} per peer: a loop thread that owns a heartbeat DEALER and a data DEALER,
 * drains the link's lock-free outbox into batched frames, and runs the failure detector (PING/PONG with per-epoch
 * receive counts). Senders encode on their own thread into one buffer that already holds the frame header, so a
 * message crosses one thread per side. See {@link io.loomnet.transport.zmq.cluster.Cluster},
 * {@link io.loomnet.transport.zmq.cluster.LinkStats} for the accounting identity, and {@code docs/cluster.md}.
 */
package io.loomnet.transport.zmq.cluster;
