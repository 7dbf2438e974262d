package io.loomnet;

import java.time.Duration;

/** The target's bounded mailbox was full and its overflow policy is {@link Overflow#REJECT}. */
public final class MailboxFullException extends CallException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the full explanation
     * @param target the called service
     * @param requestType the request payload's class name
     * @param timeout the call's timeout, or {@code null} for a one-way send
     */
    public MailboxFullException(String message, Handle target, String requestType, Duration timeout) {
        super(message, target, requestType, timeout);
    }
}
