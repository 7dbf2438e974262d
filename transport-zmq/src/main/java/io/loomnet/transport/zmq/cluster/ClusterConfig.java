package io.loomnet.transport.zmq.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A cluster's validated settings (built by {@link Cluster.Builder}).
 *
 * @param inboxEndpoint the TCP endpoint this node's inbox machine binds
 * @param peers peer node id → inbox endpoint
 * @param heartbeatInterval how often a link pings its peer
 * @param downAfter silence after which a peer is declared down
 * @param maxFrameBytes the largest message (header and payload) accepted or sent
 * @param linkQueueLimit tells and requests queued per link before back-pressure applies
 * @param highWaterMark ZeroMQ send high-water mark of a link's data connection, in batches
 * @param backPressure what a send to a full link does
 * @param sendTimeout how long a send may wait for room under {@link BackPressure#BLOCK}
 * @param startTimeout how long starting the inbox may take
 * @param stopTimeout how long closing the cluster may take
 * @param curve CURVE settings, if enabled
 */
record ClusterConfig(String inboxEndpoint, Map<Integer, String> peers, Duration heartbeatInterval, Duration downAfter,
                     int maxFrameBytes, int linkQueueLimit, int highWaterMark, BackPressure backPressure,
                     Duration sendTimeout, Duration startTimeout, Duration stopTimeout, Optional<Curve> curve) {

    /**
     * CURVE keys: this node's key pair (server keys of its inbox, client keys of its links), the peers' public
     * keys (to authenticate the servers it connects to) and the allow-list of client keys its inbox accepts.
     */
    record Curve(byte[] publicKey, byte[] secretKey, Map<Integer, byte[]> peerPublicKeys, Set<String> allowedZ85) {
    }

    /** Client-side keys for the link to {@code peer}. */
    record CurveClient(byte[] serverPublicKey, byte[] clientPublicKey, byte[] clientSecretKey) {
    }

    Optional<CurveClient> curveClient(int peer) {
        return curve.map(c -> new CurveClient(c.peerPublicKeys().get(peer), c.publicKey(), c.secretKey()));
    }
}
