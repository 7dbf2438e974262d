package io.loomnet;

import java.time.Duration;
import java.util.Locale;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The node's defaults, read once from {@code loomnet} in the merged {@code reference.conf} files (this library's
 * holds them, commented); the builder has no default literals of its own.
 */
final class NodeDefaults {
    static final Config REFERENCE = ConfigFactory.defaultReference(NodeDefaults.class.getClassLoader())
            .getConfig("loomnet");
    static final int NODE_ID = REFERENCE.getInt("node-id");
    static final Dispatcher DISPATCHER = Dispatcher.valueOf(REFERENCE.getString("dispatcher")
            .toUpperCase(Locale.ROOT));
    /** {@code null} in the reference: the number of available processors. */
    static final int POOLED_WORKERS = REFERENCE.getIsNull("pooled-workers")
            ? Runtime.getRuntime().availableProcessors() : REFERENCE.getInt("pooled-workers");
    static final int THROUGHPUT = REFERENCE.getInt("throughput");
    static final Duration CLOSE_TIMEOUT = REFERENCE.getDuration("close-timeout");
    static final Duration STUCK_THRESHOLD = REFERENCE.getDuration("stuck-threshold");
    static final Duration MONITOR_INTERVAL = REFERENCE.getDuration("monitor-interval");
    static final Duration IDLE_THREAD_TIMEOUT = REFERENCE.getDuration("idle-thread-timeout");

    private NodeDefaults() {
    }
}
