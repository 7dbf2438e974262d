package io.loomnet;

import java.time.Duration;

/** The target is unknown, never started, or stopped before handling the request (Skynet's PTYPE_ERROR for a dead service). */
public final class ServiceUnavailableException extends CallException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the full explanation
     * @param target the called service
     * @param requestType the request payload's class name
     * @param timeout the call's timeout, or {@code null} for a one-way send
     */
    public ServiceUnavailableException(String message, Handle target, String requestType, Duration timeout) {
        super(message, target, requestType, timeout);
    }
}
