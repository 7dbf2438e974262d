package io.loomnet;

/**
 * User code run by Loomnet. A service is created by the factory given to {@code spawn}, receives
 * {@link #onStart} once, then {@link #onMessage} for each message, then {@link #onStop} once.
 *
 * <p><b>Threading.</b> The hooks of one service never run concurrently with each other, on any dispatcher:
 * fields of a service need no locking. They may run on different threads over time. A handler may block
 * (I/O, {@link Context#call}, {@link Context#sleep}); while it waits in {@code call} or {@code sleep}, the
 * service goes on handling its other messages and the waiting handler resumes, alone, when its reply or
 * timeout arrives (Skynet's coroutine semantics).
 *
 * <p><b>Ordering.</b> Messages from one sender to one service are handled in the order they were sent.
 * Messages sent to the service while {@code onStart} runs wait and are handled after it returns; if
 * {@code onStart} throws, they are dead-lettered and the service never runs.
 *
 * <p>A service with only {@code onMessage} can be written as a lambda: {@code (ctx, msg) -> ...}.
 */
@FunctionalInterface
public interface Service {
    /**
     * Called once before any message. May block, call other services and spawn children.
     *
     * @param ctx this service's context
     * @throws Exception to fail the start: the service stops and its waiting messages are dead-lettered
     */
    default void onStart(Context ctx) throws Exception {
    }

    /**
     * Handles one message. If the message is a request, answer it with {@link Context#reply} or take a
     * {@link Context#replyToken()} to answer later; a handler that returns without doing either answers the
     * caller with an error so no caller waits for nothing.
     *
     * @param ctx this service's context
     * @param msg the message
     * @throws Exception handled by the service's {@link Supervision} policy; a pending request gets an error reply
     */
    void onMessage(Context ctx, Message msg) throws Exception;

    /**
     * Called once when the service stops, after its children have stopped and its mailbox is sealed.
     *
     * @param ctx this service's context; sending still works, calling does not
     * @throws Exception logged; stopping continues
     */
    default void onStop(Context ctx) throws Exception {
    }
}
