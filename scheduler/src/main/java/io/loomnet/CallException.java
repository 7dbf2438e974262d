package io.loomnet;

import java.time.Duration;

/**
 * A {@link Context#call} or {@link Context#ask} that did not produce a reply. The message names the caller,
 * the target, the request's type and the timeout.
 */
public class CallException extends LoomnetException {
    private static final long serialVersionUID = 1L;
    private final transient Handle target;
    private final String requestType;
    private final transient Duration timeout;

    /**
     * @param message the full explanation
     * @param target the called service
     * @param requestType the request payload's class name
     * @param timeout the call's timeout
     */
    public CallException(String message, Handle target, String requestType, Duration timeout) {
        super(message);
        this.target = target;
        this.requestType = requestType;
        this.timeout = timeout;
    }

    /** @return the called service */
    public Handle target() {
        return target;
    }

    /** @return the request payload's class name */
    public String requestType() {
        return requestType;
    }

    /** @return the call's timeout */
    public Duration timeout() {
        return timeout;
    }
}
