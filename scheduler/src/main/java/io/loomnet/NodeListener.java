package io.loomnet;

import java.time.Duration;

/**
 * Receives a node's operational events. Methods are called synchronously on the thread where the event
 * happens (any thread, possibly many at once), so they must be thread-safe, fast and must not block; an
 * exception thrown by a listener is logged and otherwise ignored. All methods default to doing nothing.
 */
public interface NodeListener {
    /** @param deadLetter a message that will never be handled */
    default void onDeadLetter(DeadLetter deadLetter) {
    }

    /**
     * Skynet's overload warning: a mailbox grew past 1024, and again at each doubling, until it is next empty.
     * Every crossing is reported here; the node's WARN log line for it is rate-limited to one per service every
     * 10 s (a line names how many were left out), so a steady stream that fills the queue again and again does
     * not flood the log. {@link ServiceStats#queueHighWater()} keeps the longest length.
     *
     * @param service the overloaded service
     * @param queueLength its queue length when the threshold was crossed
     */
    default void onOverload(Handle service, int queueLength) {
    }

    /**
     * Skynet's monitor: a handler has been running one message for longer than the node's stuck threshold.
     *
     * @param service the stuck service
     * @param messageType the payload type of the message being handled
     * @param runningFor how long it has been running
     * @param stack the handler thread's stack, top first (empty if it could not be taken)
     */
    default void onStuckHandler(Handle service, String messageType, Duration runningFor, StackTraceElement[] stack) {
    }

    /**
     * A reply that arrived after its call ended (timed out or cancelled); it was dropped.
     *
     * @param caller the handle the reply was addressed to
     * @param session the reply's session
     */
    default void onLateReply(Handle caller, long session) {
    }
}
