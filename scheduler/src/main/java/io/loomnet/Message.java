package io.loomnet;

/**
 * One message as a handler sees it. Immutable.
 *
 * @param source the sender's handle; for messages sent from outside any service, the node's own handle
 *               (sequence 0); for timers, the receiving service itself
 * @param session non-zero for {@link MessageType#REQUEST}s, identifying the reply; 0 otherwise
 * @param type what kind of message this is
 * @param payload the content, as given to {@code send}/{@code call}; never copied
 */
public record Message(Handle source, long session, MessageType type, Object payload) {
    /** @return {@code true} if the sender waits for a reply */
    public boolean isRequest() {
        return type == MessageType.REQUEST;
    }

    /** @return the payload's class name, or {@code "null"}; used in error messages */
    public String payloadType() {
        return payload == null ? "null" : payload.getClass().getName();
    }
}
