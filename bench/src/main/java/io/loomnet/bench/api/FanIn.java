package io.loomnet.bench.api;

/**
 * Counting / fan-in (Savina counting, with many producers): {@code senders} sender actors each
 * send {@code messagesPerSender} numbered messages to one counter actor as fast as they can.
 */
public interface FanIn {
    /**
     * Returns the sum of the values the counter received; sender {@code s} sends the values
     * {@code 1..messagesPerSender}, so a correct run returns
     * {@code senders * m * (m + 1) / 2} — a lost or duplicated message changes it.
     */
    long run(int senders, int messagesPerSender) throws Exception;
}
