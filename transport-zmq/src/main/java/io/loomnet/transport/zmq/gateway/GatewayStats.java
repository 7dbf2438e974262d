package io.loomnet.transport.zmq.gateway;

/**
 * Counters of one {@link GatewayWorker}, read with {@link GatewayWorker#stats()}.
 *
 * @param requests requests received
 * @param ok {@code ok} replies
 * @param errors {@code error} replies of every kind
 * @param malformed malformed requests (answered with an error)
 * @param tooLarge requests over the payload limit (answered with an error)
 * @param timeouts calls that timed out
 * @param lateReplies replies that arrived after their request was answered (timed out) and were dropped
 * @param inFlight calls in progress now
 */
public record GatewayStats(long requests, long ok, long errors, long malformed, long tooLarge, long timeouts,
                           long lateReplies, int inFlight) {
}
