package io.loomnet.transport.zmq.cluster;

/**
 * What a remote tell or request does when the link to its node is full ({@link Cluster.Builder#linkQueueLimit(int)}
 * messages queued). Replies, system notices and watches are never refused for lack of room.
 */
public enum BackPressure {
    /**
     * The sender waits for room, up to the cluster's send timeout ({@link Cluster.Builder#backPressure(BackPressure,
     * java.time.Duration)}), then gets a {@link ClusterBackPressureException}. Natural on virtual threads; on the
     * POOLED dispatcher a waiting handler holds its worker. The default.
     */
    BLOCK,
    /** The sender gets a {@link ClusterBackPressureException} at once. */
    FAIL
}
