package io.loomnet.transport.zmq.cluster;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A snapshot of a cluster's counters; each accurate, not a consistent cut.
 *
 * <p>Inbound (this node's inbox): every message of a well-formed batch from a peer is {@code delivered} to the
 * node, or dropped and counted under one reason ({@code stale}, {@code undecodable}, {@code oversize}, or
 * {@code malformed}); control messages (watches, lookups, leaving) are counted in {@code controlMessages}. Outbound:
 * one {@link LinkStats} per peer.
 *
 * @param framesIn ZeroMQ frames received by the inbox (batches and PINGs)
 * @param delivered messages handed to the node
 * @param malformed frames or messages dropped for a bad shape, header, kind or target
 * @param oversize messages dropped for being over the frame limit
 * @param undecodable messages dropped because the codec could not decode their payload
 * @param stale messages dropped because they were addressed to an earlier run of this node (dead-lettered here)
 * @param refusedFrames frames the inbox's hostile-frame guard refused (negative or oversize declared sizes)
 * @param zapRefused connections refused because their CURVE key is not on the allow-list (0 without CURVE)
 * @param links the link to each configured peer
 */
public record ClusterStats(long framesIn, long delivered, long malformed, long oversize, long undecodable, long stale,
                           long refusedFrames, long zapRefused, Map<Integer, LinkStats> links) {
    /** Mutable counters behind the inbound part. */
    static final class Counters {
        final LongAdder framesIn = new LongAdder();
        final LongAdder delivered = new LongAdder();
        final LongAdder malformed = new LongAdder();
        final LongAdder oversize = new LongAdder();
        final LongAdder undecodable = new LongAdder();
        final LongAdder stale = new LongAdder();
    }

    /**
     * @param peer a configured peer
     * @return its link's counters
     * @throws IllegalArgumentException if {@code peer} is not configured
     */
    public LinkStats link(int peer) {
        LinkStats l = links.get(peer);
        if (l == null) {
            throw new IllegalArgumentException("node " + peer + " is not a configured peer; peers are "
                    + links.keySet());
        }
        return l;
    }
}
