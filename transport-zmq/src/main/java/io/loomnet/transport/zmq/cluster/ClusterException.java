package io.loomnet.transport.zmq.cluster;

import io.loomnet.LoomnetException;

/** A cluster could not start, a link failed to come up, or a message could not be sent to another node. */
public class ClusterException extends LoomnetException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, naming the node, peer and endpoint */
    public ClusterException(String message) {
        super(message);
    }

    /**
     * @param message what failed
     * @param cause the underlying failure
     */
    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
