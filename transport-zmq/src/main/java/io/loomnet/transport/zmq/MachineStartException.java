package io.loomnet.transport.zmq;

/**
 * A machine failed to start (for example its endpoint stayed in use past the bind timeout). Everything the
 * attempt had started has been stopped again and the name is free.
 */
public final class MachineStartException extends MachineException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, naming the machine and its endpoint
     * @param cause the underlying failure
     */
    public MachineStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
