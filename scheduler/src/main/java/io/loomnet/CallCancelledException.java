package io.loomnet;

import java.time.Duration;

/** The calling service is stopping, so its pending calls and sleeps are cancelled. */
public final class CallCancelledException extends CallException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the full explanation
     * @param target the called service
     * @param requestType the request payload's class name
     * @param timeout the call's timeout, or {@code null} for a one-way send
     */
    public CallCancelledException(String message, Handle target, String requestType, Duration timeout) {
        super(message, target, requestType, timeout);
    }
}
