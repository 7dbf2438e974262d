package io.loomnet.internal;

/**
 * The payload of an error response (Skynet's PTYPE_ERROR): a kind, which decides the exception the caller
 * sees, and a text naming the service and the request.
 *
 * @param kind one of the constants below
 * @param text the explanation
 */
record ErrorReply(int kind, String text) {
    /** Target unknown, stopped, or stopped before handling: {@code ServiceUnavailableException}. */
    static final int UNAVAILABLE = 1;
    /** The handler threw or failed the token: {@code CallFailedException}. */
    static final int HANDLER_FAILED = 2;
    /** The handler returned without replying: {@code CallFailedException}. */
    static final int NO_REPLY = 3;
    /** The target's bounded mailbox was full: {@code MailboxFullException}. */
    static final int MAILBOX_FULL = 4;
}
