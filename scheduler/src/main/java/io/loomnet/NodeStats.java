package io.loomnet;

/**
 * A snapshot of a node's counters; individually accurate, not a consistent cut.
 *
 * @param nodeId the node id
 * @param liveServices services registered and not yet terminated
 * @param spawned services spawned since start
 * @param sent messages accepted by {@code send}/{@code call}/{@code ask} (tells and requests)
 * @param handled messages passed to {@code onMessage}
 * @param deadLetters messages accepted but never handled
 * @param lateReplies replies that arrived after their call had ended (timed out or cancelled), dropped
 * @param pendingCalls calls and asks waiting for a reply
 * @param liveThreads threads started by the node's dispatchers that are still alive
 * @param stuckReports handlers reported as stuck by the monitor
 */
public record NodeStats(int nodeId, long liveServices, long spawned, long sent, long handled, long deadLetters,
                        long lateReplies, long pendingCalls, long liveThreads, long stuckReports) {
}
