package io.loomnet.bench.api;

/**
 * Skynet (atemerev/skynet): the root actor spawns {@code branching} children, each spawns
 * {@code branching} more, down to {@code leaves} leaf actors numbered {@code 0..leaves-1}; each leaf
 * replies its number to its parent, each parent replies the sum of its children's replies and
 * stops. For 1,000,000 leaves and branching 10 that is 1,111,111 actors and the sum 499999500000.
 */
public interface Skynet {
    /** Runs the whole tree and returns the root's sum. */
    long run(int leaves, int branching) throws Exception;
}
