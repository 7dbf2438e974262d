package io.loomnet.bench.api;

/**
 * One-way messages from a sender on one node to a receiver on another node, over TCP on
 * loopback. Opened once per trial (connections set up, warm) and closed after it.
 */
@SuppressWarnings("try") // close() may throw anything; callers report it
public interface RemoteTell extends AutoCloseable {
    /**
     * Sends {@code messages} payloads and waits until the receiver has counted them all; returns
     * the receiver's count of well-formed payloads received in this run.
     */
    long run(int messages) throws Exception;

    @Override
    void close() throws Exception;
}
