package io.loomnet;

/**
 * System message sent to a parent when a child's handler, {@code onStart} or restart throws.
 *
 * @param child the failing child
 * @param type the kind of the message being handled ({@link MessageType#TELL}, {@link MessageType#REQUEST},
 *             {@link MessageType#TIMER} or {@link MessageType#SYSTEM}), or {@code null} when no message was
 *             being handled ({@code onStart}, or {@code onStart} of a restart)
 * @param payloadType the class name of that message's payload ({@code "null"} for a null payload), or
 *                    {@code "onStart"} / {@code "onStart (restart)"} when no message was being handled
 * @param failure the exception's class and message
 * @param action what the child's supervision policy does about it: RESUME, RESTART or STOP
 */
public record ChildFailed(Handle child, MessageType type, String payloadType, String failure,
                          Supervision.Kind action) {
}
