package io.loomnet.transport.zmq.cluster;

import java.time.Duration;
import java.util.Locale;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The cluster's defaults, read once from {@code loomnet.cluster} in the merged {@code reference.conf} files (this
 * library's holds them, commented); {@link Cluster.Builder} has no default literals of its own for these.
 */
final class ClusterDefaults {
    static final Config REFERENCE = ConfigFactory.defaultReference(ClusterDefaults.class.getClassLoader())
            .getConfig("loomnet.cluster");
    static final Duration HEARTBEAT = REFERENCE.getDuration("heartbeat");
    static final Duration DOWN_AFTER = REFERENCE.getDuration("down-after");
    static final int MAX_FRAME_BYTES = Math.toIntExact(REFERENCE.getBytes("max-frame"));
    static final int LINK_QUEUE_LIMIT = REFERENCE.getInt("link-queue-limit");
    static final BackPressure BACK_PRESSURE = BackPressure.valueOf(REFERENCE.getString("back-pressure")
            .toUpperCase(Locale.ROOT));
    static final Duration SEND_TIMEOUT = REFERENCE.getDuration("send-timeout");
    static final Duration STOP_TIMEOUT = REFERENCE.getDuration("stop-timeout");

    private ClusterDefaults() {
    }
}
