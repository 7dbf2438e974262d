package io.loomnet.transport.zmq.gateway;

import io.loomnet.LoomnetException;

/** A {@link GatewayTarget} has no service of the requested name or handle. */
public final class UnknownTargetException extends LoomnetException {
    private static final long serialVersionUID = 1L;
    private final String target;

    /** @param target the name or handle that does not exist */
    public UnknownTargetException(String target) {
        super("unknown target '" + target + "'");
        this.target = target;
    }

    /** @return the name or handle that does not exist */
    public String target() {
        return target;
    }
}
