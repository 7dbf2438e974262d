package io.loomnet.bench.api;

/**
 * Request/response from a caller on one node to an echo service on another node, over TCP on
 * loopback. Opened once per trial and closed after it; the benchmark thread is the caller.
 */
@SuppressWarnings("try") // close() may throw anything; callers report it
public interface RemoteCall extends AutoCloseable {
    /**
     * Makes one call with a fresh sequence number in the payload and throws if the reply is not
     * the echo of that exact request.
     */
    void call() throws Exception;

    @Override
    void close() throws Exception;
}
