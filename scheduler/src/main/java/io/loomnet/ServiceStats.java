package io.loomnet;

/**
 * A snapshot of one service's counters. Values are read without a common lock, so they are individually
 * accurate but not a consistent cut.
 *
 * @param handle the service
 * @param name its registered name, or {@code null}
 * @param state its lifecycle state: NEW, STARTING, RUNNING, RESTARTING, STOPPING or TERMINATED
 * @param queueLength messages waiting in its mailbox
 * @param queueHighWater the longest its mailbox has been since it was spawned
 * @param handled messages passed to {@code onMessage}
 * @param failures handler failures
 * @param restarts restarts made by its supervision policy
 * @param maxHandleNanos the longest single {@code onMessage} call, in nanoseconds
 * @param suspendedHandlers handlers currently waiting in {@code call} or {@code sleep}
 * @param dispatcher the dispatcher running it
 */
public record ServiceStats(Handle handle, String name, String state, int queueLength, int queueHighWater,
                           long handled, long failures, int restarts, long maxHandleNanos, int suspendedHandlers,
                           Dispatcher dispatcher) {
}
