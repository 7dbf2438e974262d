package io.loomnet.bench.api;

/**
 * Blocking call chain: {@code stages} actors in a line. A request to stage {@code i} blocks its
 * handler for {@code blockMicros} (simulated I/O, {@code Thread.sleep} or the runtime's own
 * blocking sleep), then makes a blocking request/response call to stage {@code i+1}, waits for the
 * reply and answers its caller with that reply plus one; the last stage answers with its request
 * value plus one. {@code inFlight} client threads keep one request each in flight until
 * {@code requests} requests have been answered.
 */
public interface CallChain {
    /**
     * Returns the number of replies whose value was exactly {@code request + stages}: equal to
     * {@code requests} when correct.
     */
    long run(int stages, int inFlight, int requests, long blockMicros) throws Exception;
}
