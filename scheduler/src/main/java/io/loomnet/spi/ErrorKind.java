package io.loomnet.spi;

/** Why a request failed, as carried by an error reply across the wire. Decides the caller's exception. */
public enum ErrorKind {
    /** Target unknown, stopped, or gone before handling: {@code ServiceUnavailableException}. */
    UNAVAILABLE,
    /** The handler threw or failed its reply token: {@code CallFailedException}. */
    HANDLER_FAILED,
    /** The handler returned without replying: {@code CallFailedException}. */
    NO_REPLY,
    /** The target's bounded mailbox was full: {@code MailboxFullException}. */
    MAILBOX_FULL
}
