package io.loomnet;

import java.time.Duration;

/** No reply arrived within the timeout. A reply that arrives later is dropped and counted as a late reply. */
public final class CallTimeoutException extends CallException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the full explanation
     * @param target the called service
     * @param requestType the request payload's class name
     * @param timeout the call's timeout, or {@code null} for a one-way send
     */
    public CallTimeoutException(String message, Handle target, String requestType, Duration timeout) {
        super(message, target, requestType, timeout);
    }
}
