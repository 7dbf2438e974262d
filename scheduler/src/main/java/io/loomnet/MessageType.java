package io.loomnet;

/** The kind of a {@link Message}, after Skynet's PTYPE values. */
public enum MessageType {
    /** One-way message sent with {@link Context#send}; session 0. */
    TELL,
    /** A request sent by {@link Context#call} or {@link Context#ask}; answer it with {@link Context#reply}. */
    REQUEST,
    /** A successful reply. Replies reach the waiting caller directly and are never seen by {@code onMessage}. */
    RESPONSE,
    /** A failed reply (Skynet's PTYPE_ERROR). Like responses, never seen by {@code onMessage}. */
    ERROR,
    /** Runtime notices such as {@link Terminated} and {@link ChildFailed}. */
    SYSTEM,
    /** A timer set with {@link Context#timeout} or {@link Context#every} fired; the payload is the one given to it. */
    TIMER
}
