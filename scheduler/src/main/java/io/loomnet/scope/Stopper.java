package io.loomnet.scope;

/**
 * Stops one resource owned by a {@link Scope}. Called at most once, by the thread closing the scope.
 */
@FunctionalInterface
public interface Stopper {
    /**
     * Stops the resource, returning no later than {@code deadlineNanos} (a {@link System#nanoTime()} value)
     * where the resource allows it.
     *
     * @param deadlineNanos the instant by which the whole scope must be closed
     * @return {@code true} if the resource stopped, {@code false} if it is still running at the deadline
     * @throws Exception if stopping failed; the scope records it as a suppressed failure and goes on
     */
    boolean stop(long deadlineNanos) throws Exception;
}
