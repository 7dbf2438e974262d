package io.loomnet;

/**
 * A snapshot of a node's counters; individually accurate, not a consistent cut.
 *
 * @param nodeId the node id
 * @param liveServices services registered and not yet terminated
 * @param spawned services spawned since start
 * @param sent messages offered to services of this node: tells and requests from local services and from
 *             outside, system notices, fired timers, messages arriving from other nodes, and messages for
 *             other nodes that could not be routed (which become dead letters); messages handed to the
 *             transport are counted by the transport instead. At rest, {@code sent == handled + deadLetters}.
 * @param handled messages passed to {@code onMessage}
 * @param deadLetters messages accepted but never handled
 * @param lateReplies replies that arrived after their call had ended (timed out or cancelled), dropped
 * @param pendingCalls calls and asks waiting for a reply
 * @param liveThreads threads started by the node's dispatchers that are still alive
 * @param stuckReports handlers reported as stuck by the monitor
 * @param loopErrors failures of the node's background loops (the monitor's), each logged with its stack; a loop
 *                   goes on after a failed turn, so this stays 0 unless something is wrong in Loomnet
 */
public record NodeStats(int nodeId, long liveServices, long spawned, long sent, long handled, long deadLetters,
                        long lateReplies, long pendingCalls, long liveThreads, long stuckReports,
                        long loopErrors) {
}
