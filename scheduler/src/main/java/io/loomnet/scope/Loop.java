package io.loomnet.scope;

/**
 * The work of one background loop, run by a {@link LoopRunner} on one named platform thread.
 *
 * <p>The hooks come in pairs and all but {@link #wake()} run on the loop thread, in this order:
 * {@link #onStart()} once, {@link #doWork()} until the runner is asked to stop or a turn returns
 * {@code false}, then {@link #onClose()} once, also after {@code onStart} or a turn has failed. What
 * {@code onStart} acquires (sockets, pipes, pollers) {@code onClose} releases, on the same thread: that is what
 * lets a JeroMQ socket have one owner from creation to close.
 *
 * <p>A loop is stopped by a signal, never by an interrupt: the runner sets its stop flag, then calls
 * {@link #wake()} from the stopping thread. A turn may block while it waits for work, but a wake-up must make
 * it return promptly, including a wake-up that arrived before the turn began to wait (wake-ups are sticky:
 * a written pipe byte, an {@code unpark}, a queued marker).
 */
public interface Loop {
    /**
     * Runs once on the loop thread before the first turn. An exception here fails
     * {@link LoopRunner#awaitStarted(java.time.Duration)}; {@link #onClose()} still runs.
     *
     * @throws Exception if the loop cannot start (for example, its endpoint cannot be bound)
     */
    default void onStart() throws Exception {
    }

    /**
     * One turn: does the work that is ready, or waits for some (bounded by a {@link #wake()}).
     *
     * @return {@code true} to go on, {@code false} to end the loop for good (for example, its ZeroMQ context
     *         was terminated)
     * @throws Exception reported to the runner's {@link LoopErrorHandler}; the loop goes on after a short
     *         back-off that grows while turns keep failing
     */
    boolean doWork() throws Exception;

    /**
     * Makes a turn that is waiting return soon. Called from any thread, possibly more than once; must not block
     * for long and must not touch anything the loop thread owns (such as a ZeroMQ socket).
     */
    void wake();

    /**
     * Runs once on the loop thread after the last turn, whatever ended the loop. An exception here is reported
     * to the error handler.
     */
    default void onClose() {
    }
}
