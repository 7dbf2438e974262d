package io.loomnet;

/**
 * A message that was accepted by {@code send}/{@code call} but will never be handled. Published to
 * {@link NodeListener#onDeadLetter} and counted in {@link NodeStats}. Requests among dead letters are
 * answered with an error, so their callers fail at once.
 *
 * @param source the sender
 * @param target the intended receiver
 * @param type the message type
 * @param payloadType the payload's class name
 * @param reason why it was not handled
 */
public record DeadLetter(Handle source, Handle target, MessageType type, String payloadType, Reason reason) {
    /** Why a message became a dead letter. */
    public enum Reason {
        /** No service has that handle or name (never existed, or retired). */
        UNKNOWN_TARGET,
        /** The target stopped with the message still queued, or before it arrived. */
        STOPPED,
        /** The target's {@code onStart} failed; messages that waited for it are dropped. */
        START_FAILED,
        /** The target's bounded mailbox was full. */
        MAILBOX_FULL,
        /** The node was closing. */
        NODE_CLOSED,
        /** The target lives on a node that is unknown or unreachable. */
        NODE_UNREACHABLE
    }
}
