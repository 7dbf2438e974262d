package io.loomnet.bench.api;

/**
 * Savina threadring: {@code actors} actors in a ring pass one token; each receiver decrements its
 * hop count and passes it on until it reaches zero.
 */
public interface ThreadRing {
    /**
     * Builds the ring, passes the token {@code hops} times, stops the ring and returns the number of
     * token receptions counted by the ring's actors: {@code hops} when correct.
     */
    long run(int actors, int hops) throws Exception;
}
