package io.loomnet.launcher;

import io.loomnet.LoomnetException;

/** A module could not be launched: unknown, given bad arguments, or its service failed to start. */
public class LaunchException extends LoomnetException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, naming the module */
    public LaunchException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, naming the module
     * @param cause the underlying failure
     */
    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
