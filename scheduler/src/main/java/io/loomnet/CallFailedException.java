package io.loomnet;

import java.time.Duration;

/** The target handled the request but failed: its handler threw, returned without replying, or answered with {@link ReplyToken#fail}. */
public final class CallFailedException extends CallException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the full explanation
     * @param target the called service
     * @param requestType the request payload's class name
     * @param timeout the call's timeout, or {@code null} for a one-way send
     */
    public CallFailedException(String message, Handle target, String requestType, Duration timeout) {
        super(message, target, requestType, timeout);
    }
}
