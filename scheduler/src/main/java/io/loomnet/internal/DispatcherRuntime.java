package io.loomnet.internal;

import io.loomnet.Dispatcher;

/**
 * Gives service cells threads. The contract, for every implementation:
 * <ul>
 *   <li>{@link #start} begins driving a newly registered cell: eventually some thread calls
 *   {@link ServiceCell#drive(Thread, int)} with the cell's start pending.</li>
 *   <li>{@link #wake} is called exactly when a cell's mailbox went from unscheduled to scheduled: the cell must
 *   be driven again.</li>
 *   <li>{@link #suspendBegin} is called on a handler thread about to block in {@code call}/{@code sleep}
 *   after it released the cell's exclusion. If {@code handOff}, the blocked thread was the cell's driver and
 *   another driver must take over the cell; {@link #suspendEnd} when it resumes.</li>
 * </ul>
 */
interface DispatcherRuntime {
    Dispatcher kind();

    void start(ServiceCell cell);

    void wake(ServiceCell cell);

    void suspendBegin(ServiceCell cell, boolean handOff);

    void suspendEnd(ServiceCell cell);

    /**
     * Called by the monitor for a cell it found idle for the idle-thread timeout: a dispatcher that gives each
     * service its own thread lets that thread end, and the next wake-up starts another. Others do nothing.
     */
    default void retireIdle(ServiceCell cell) {
    }

    /** @return whether {@link #retireIdle} does anything, so the monitor need not track idleness otherwise */
    default boolean retiresIdleThreads() {
        return false;
    }

    /** @return threads started by this dispatcher that are still alive */
    long liveThreads();

    /**
     * Stops the dispatcher's own threads (workers) and waits for every thread it started to end.
     *
     * @param deadlineNanos when to give up
     * @return {@code true} if all its threads ended
     * @throws InterruptedException if interrupted while waiting
     */
    boolean stop(long deadlineNanos) throws InterruptedException;
}
