package io.loomnet.transport.zmq.cluster;

import io.loomnet.Handle;
import io.loomnet.MessageType;

/**
 * A tell or request to another node was refused because the link to that node had no room for it: its queue held
 * {@link Cluster.Builder#linkQueueLimit(int)} messages, and none left in time (at once with {@link BackPressure#FAIL},
 * or within the blocking deadline with {@link BackPressure#BLOCK}). The message was not sent and not dead-lettered;
 * the sender decides what to do. Counted in {@link LinkStats#rejected()}.
 */
public final class ClusterBackPressureException extends ClusterException {
    private static final long serialVersionUID = 1L;
    private final transient Handle target;
    private final MessageType type;

    ClusterBackPressureException(String message, Handle target, MessageType type) {
        super(message);
        this.target = target;
        this.type = type;
    }

    /** @return the remote service the message was for */
    public Handle target() {
        return target;
    }

    /** @return the message's type (TELL or REQUEST) */
    public MessageType type() {
        return type;
    }
}
