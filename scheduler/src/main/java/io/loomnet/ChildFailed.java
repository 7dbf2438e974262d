package io.loomnet;

/**
 * System message sent to a parent when a child's handler, {@code onStart} or restart throws.
 *
 * @param child the failing child
 * @param messageType the payload type of the message being handled, or {@code "onStart"}
 * @param failure the exception's class and message
 * @param action what the child's supervision policy does about it: RESUME, RESTART or STOP
 */
public record ChildFailed(Handle child, String messageType, String failure, Supervision.Kind action) {
}
