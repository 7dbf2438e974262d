package io.loomnet.transport.zmq.cluster;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A snapshot of a cluster's counters; individually accurate, not a consistent cut.
 *
 * @param framesIn frames received by the inbox
 * @param delivered messages handed to the node
 * @param malformed frames dropped for a bad shape, header, kind or target
 * @param oversize frames dropped for being over the size limit
 * @param undecodable frames dropped because the codec could not decode their payload
 * @param stale frames dropped because they were addressed to an earlier run of this node
 * @param framesOut frames sent on links
 * @param refused messages the links refused (peer down, queue full) — the node dead-lettered them
 * @param dropped frames taken by a link but never sent (peer went down, ZeroMQ queue full, close)
 * @param peers state of each peer link
 */
public record ClusterStats(long framesIn, long delivered, long malformed, long oversize, long undecodable, long stale,
                           long framesOut, long refused, long dropped, Map<Integer, Cluster.PeerState> peers) {
    /** Mutable counters behind the snapshot. */
    static final class Counters {
        final LongAdder framesIn = new LongAdder();
        final LongAdder delivered = new LongAdder();
        final LongAdder malformed = new LongAdder();
        final LongAdder oversize = new LongAdder();
        final LongAdder undecodable = new LongAdder();
        final LongAdder stale = new LongAdder();
        final LongAdder refused = new LongAdder();
        final LongAdder dropped = new LongAdder();
    }
}
