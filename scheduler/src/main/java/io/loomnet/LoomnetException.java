package io.loomnet;

/**
 * Root of Loomnet's unchecked exception hierarchy. Every failure Loomnet raises to user code is a
 * subclass, and its message names what is needed to act on it: the service, the message type and,
 * where one applies, the timeout.
 */
public class LoomnetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, naming the service, message type and timeout where they apply */
    public LoomnetException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong
     * @param cause the underlying failure
     */
    public LoomnetException(String message, Throwable cause) {
        super(message, cause);
    }
}
