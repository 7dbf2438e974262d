package io.loomnet.transport.zmq;

import io.loomnet.LoomnetException;

/**
 * A machine could not be created or used. The message names the machine and, where one applies, its endpoint
 * and the timeout involved.
 */
public class MachineException extends LoomnetException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, naming the machine */
    public MachineException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, naming the machine
     * @param cause the underlying failure
     */
    public MachineException(String message, Throwable cause) {
        super(message, cause);
    }
}
