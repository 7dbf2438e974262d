package io.loomnet.bench.api;

/**
 * Spawn/stop churn: create {@code actors} actors; each handles one message and then stops itself.
 */
public interface Churn {
    /** Returns the number of actors that handled their message and were seen stopped. */
    long run(int actors) throws Exception;
}
