package io.loomnet.bench.api;

/**
 * Savina pingpong: {@code pairs} independent pairs; in each, a pinger sends a ping, the ponger
 * answers with a pong, and the pinger sends the next ping on each pong, one message in flight per
 * pair. Every message (ping or pong) counts as one.
 */
public interface PingPong {
    /**
     * Runs every pair to completion, stops its actors and returns the number of messages the
     * actors received, summed over all of them: {@code pairs * messagesPerPair} when correct.
     *
     * @param messagesPerPair messages per pair, even (half pings, half pongs)
     */
    long run(int pairs, int messagesPerPair) throws Exception;
}
