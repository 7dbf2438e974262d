package io.loomnet.transport.zmq.gateway;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * What a gateway calls: typically an adapter to a Loomnet node's {@code ask}.
 *
 * <p><b>Threading.</b> {@link #call(String, byte[], Duration)} is invoked on a gateway worker loop thread, which
 * owns a ZeroMQ socket. It must start the call and return at once; the result is delivered through the returned
 * stage, which may complete on any thread. Blocking here stalls every request on that loop.
 *
 * <p><b>Failures.</b> Complete the stage exceptionally with {@link UnknownTargetException} when the target does
 * not exist, with a {@link java.util.concurrent.TimeoutException} when it did not answer in time, and with any
 * other exception when its handler failed. The gateway turns each into an {@code error} reply (see
 * {@link GatewayProtocol}). The gateway also enforces {@code timeout} itself, so a stage that never completes
 * costs the client no more than the timeout.
 */
@FunctionalInterface
public interface GatewayTarget {
    /**
     * Starts one call.
     *
     * @param target the service name or printed handle (such as {@code :0001:00000000002a}), non-empty UTF-8
     * @param payload the request bytes, within the gateway's payload limit
     * @param timeout how long the caller will wait
     * @return the reply bytes, eventually; never {@code null}
     */
    CompletionStage<byte[]> call(String target, byte[] payload, Duration timeout);
}
