package io.loomnet.transport.zmq.cluster;

/**
 * Counters of the link to one peer, read with {@link Cluster#stats()}; each accurate, not a consistent cut.
 *
 * <p>At any moment {@code accepted == acked + lostWithPeer + inFlight() + deadLettered + queued}: every message the
 * link took is confirmed received by the peer, lost with a peer connection that ended before confirming it (after a
 * kill -9, the messages that died with the process), still on its way, handed back to the node as a dead letter
 * (it never left), or still queued here. Messages the link refused ({@link #refused}, {@link #rejected}) were never
 * accepted: the node dead-lettered them, or the sender got an exception.
 *
 * @param peer the peer's node id
 * @param state the link's state
 * @param accepted messages the link took to send (tells, requests, replies, notices, watches, lookups)
 * @param written messages handed to ZeroMQ, in {@link #batches} batches
 * @param batches ZeroMQ frames written; {@code written / batches} is the mean batch size
 * @param acked messages the peer confirmed it received
 * @param lostWithPeer messages written on a connection that ended (the peer died, restarted or the connection broke)
 *                     and never confirmed; they may have been handled before the peer died
 * @param deadLettered accepted messages that never left: queued when the peer went down, or when the link closed;
 *                     each tell and request among them was dead-lettered by the node with its reason
 * @param queued messages waiting in the link, not yet written
 * @param refused messages the link refused because the peer was down, had left, or the link was closed
 * @param blocked sends that had to wait for room in the link's queue (back-pressure)
 * @param rejected sends that failed with {@link ClusterBackPressureException}: no room in time
 */
public record LinkStats(int peer, Cluster.PeerState state, long accepted, long written, long batches, long acked,
                        long lostWithPeer, long deadLettered, long queued, long refused, long blocked, long rejected) {
    /** @return messages written and neither confirmed nor lost yet: on the wire or in the peer's queues */
    public long inFlight() {
        return written - acked - lostWithPeer;
    }
}
