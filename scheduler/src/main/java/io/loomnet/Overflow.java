package io.loomnet;

/** What a bounded mailbox does with a message that does not fit. Either way it is counted as a dead letter. */
public enum Overflow {
    /** Refuse the message: {@code send} and {@code call} throw {@link MailboxFullException}. */
    REJECT,
    /** Drop the new message silently (it is still counted and published as a dead letter). */
    DROP
}
