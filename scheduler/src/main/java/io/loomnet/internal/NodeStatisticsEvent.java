package io.loomnet.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/**
 * A periodic JFR event per running node carrying its {@link io.loomnet.NodeStats}, so a recording shows the
 * node's load over time beside GC and thread activity. Off by default; enable it in a JFR configuration
 * ({@code io.loomnet.NodeStatistics#enabled=true}, optionally {@code #period=10 s}). Emitted by
 * {@link NodeStatisticsHook}: JFR calls the hook only while a recording has the event enabled, so a node
 * without such a recording pays nothing after start.
 */
@Name("io.loomnet.NodeStatistics")
@Label("Loomnet Node Statistics")
@Category({"Loomnet"})
@Description("A node's counters (Node.stats()), sampled periodically")
@Enabled(false)
@Period("1 s")
@StackTrace(false)
final class NodeStatisticsEvent extends Event {
    @Label("Node Id")
    int nodeId;

    @Label("Live Services")
    @Description("Services registered and not yet terminated")
    long liveServices;

    @Label("Spawned")
    @Description("Services spawned since start")
    long spawned;

    @Label("Sent")
    @Description("Messages offered to services of this node")
    long sent;

    @Label("Handled")
    @Description("Messages passed to onMessage")
    long handled;

    @Label("Dead Letters")
    @Description("Messages accepted but never handled")
    long deadLetters;

    @Label("Late Replies")
    @Description("Replies that arrived after their call had ended")
    long lateReplies;

    @Label("Pending Calls")
    @Description("Calls and asks waiting for a reply")
    long pendingCalls;

    @Label("Live Threads")
    @Description("Threads started by the node's dispatchers that are still alive")
    long liveThreads;

    @Label("Stuck Reports")
    @Description("Handlers reported as stuck by the monitor")
    long stuckReports;

    @Label("Loop Errors")
    @Description("Failures of the node's background loops")
    long loopErrors;
}
