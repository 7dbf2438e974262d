package io.loomnet.micrometer;

import java.util.List;
import java.util.function.ToDoubleFunction;

import io.loomnet.NodeStats;
import io.loomnet.ServiceStats;
import io.loomnet.transport.zmq.cluster.ClusterStats;
import io.loomnet.transport.zmq.cluster.LinkStats;
import io.loomnet.transport.zmq.gateway.GatewayStats;

/**
 * The meter tables: one line per statistics field. A field is a {@linkplain Kind#COUNTER counter} when it only
 * grows during the life of its source, a {@linkplain Kind#GAUGE gauge} when it goes up and down.
 *
 * <p>To publish a new field of a stats record, add one line to its table. {@code StatsMetersTest} fails while a
 * numeric record component has no line (or a line names a component that no longer exists), so a field added in
 * the scheduler or the transport cannot be forgotten silently. Fields that are not numbers (a handle, a name, a
 * state, the peers map) become tags or have their own meters in {@link LoomnetMetrics}.
 *
 * <p>Immutable and thread-safe.
 */
public final class StatsMeters {
    private StatsMeters() {
    }

    /** How a field is published. */
    public enum Kind {
        /** Monotonic: a Micrometer {@code FunctionCounter}. */
        COUNTER,
        /** Goes up and down: a Micrometer {@code Gauge}. */
        GAUGE
    }

    /**
     * One published field.
     *
     * @param component the record component it reads (checked against the record by the tests)
     * @param name the meter name, dotted (registries rename it: {@code loomnet_node_sent_total} in Prometheus)
     * @param kind counter or gauge
     * @param baseUnit the unit, or {@code null}
     * @param description one line for the registry's help text
     * @param value reads the field from a snapshot
     * @param <R> the stats record
     */
    public record Field<R>(String component, String name, Kind kind, String baseUnit, String description,
                           ToDoubleFunction<R> value) {
    }

    private static <R> Field<R> counter(String component, String name, String description, ToDoubleFunction<R> v) {
        return new Field<>(component, name, Kind.COUNTER, null, description, v);
    }

    private static <R> Field<R> gauge(String component, String name, String description, ToDoubleFunction<R> v) {
        return new Field<>(component, name, Kind.GAUGE, null, description, v);
    }

    /** {@link NodeStats}, tagged {@code node}. */
    public static final List<Field<NodeStats>> NODE = List.of(
            gauge("liveServices", "loomnet.node.services.live", "services registered and not yet terminated",
                    NodeStats::liveServices),
            counter("spawned", "loomnet.node.services.spawned", "services spawned since start", NodeStats::spawned),
            counter("sent", "loomnet.node.messages.sent", "messages offered to services of this node",
                    NodeStats::sent),
            counter("handled", "loomnet.node.messages.handled", "messages passed to onMessage", NodeStats::handled),
            counter("deadLetters", "loomnet.node.messages.dead.letters", "messages accepted but never handled",
                    NodeStats::deadLetters),
            counter("lateReplies", "loomnet.node.replies.late", "replies that arrived after their call ended",
                    NodeStats::lateReplies),
            gauge("pendingCalls", "loomnet.node.calls.pending", "calls and asks waiting for a reply",
                    NodeStats::pendingCalls),
            gauge("liveThreads", "loomnet.node.threads.live", "dispatcher threads still alive",
                    NodeStats::liveThreads),
            counter("stuckReports", "loomnet.node.handlers.stuck", "handlers reported as stuck by the monitor",
                    NodeStats::stuckReports),
            counter("loopErrors", "loomnet.node.loops.errors", "failures of the node's background loops",
                    NodeStats::loopErrors));

    /** {@link ServiceStats}, tagged {@code node}, {@code service} (the handle) and {@code name}. */
    public static final List<Field<ServiceStats>> SERVICE = List.of(
            gauge("queueLength", "loomnet.service.queue.length", "messages waiting in the mailbox",
                    ServiceStats::queueLength),
            gauge("queueHighWater", "loomnet.service.queue.high.water", "the longest the mailbox has been",
                    ServiceStats::queueHighWater),
            counter("handled", "loomnet.service.messages.handled", "messages passed to onMessage",
                    ServiceStats::handled),
            counter("failures", "loomnet.service.failures", "handler failures", ServiceStats::failures),
            counter("restarts", "loomnet.service.restarts", "restarts by the supervision policy",
                    ServiceStats::restarts),
            new Field<>("maxHandleNanos", "loomnet.service.handle.max", Kind.GAUGE, "seconds",
                    "the longest single onMessage call", s -> s.maxHandleNanos() / 1e9),
            gauge("suspendedHandlers", "loomnet.service.handlers.suspended",
                    "handlers waiting in call or sleep", ServiceStats::suspendedHandlers));

    /** {@link ClusterStats} (the inbox side), tagged {@code node}. */
    public static final List<Field<ClusterStats>> CLUSTER = List.of(
            counter("framesIn", "loomnet.cluster.frames.in", "frames received by the inbox", ClusterStats::framesIn),
            counter("delivered", "loomnet.cluster.messages.delivered", "messages handed to the node",
                    ClusterStats::delivered),
            counter("malformed", "loomnet.cluster.frames.malformed", "frames or messages dropped for a bad shape",
                    ClusterStats::malformed),
            counter("oversize", "loomnet.cluster.messages.oversize", "messages dropped for being over the size limit",
                    ClusterStats::oversize),
            counter("undecodable", "loomnet.cluster.messages.undecodable",
                    "messages whose payload the codec could not decode", ClusterStats::undecodable),
            counter("stale", "loomnet.cluster.messages.stale", "messages addressed to an earlier run of this node",
                    ClusterStats::stale),
            counter("refusedFrames", "loomnet.cluster.frames.refused",
                    "frames the inbox's hostile-frame guard refused", ClusterStats::refusedFrames),
            counter("zapRefused", "loomnet.cluster.connections.refused",
                    "connections refused for a CURVE key not on the allow-list", ClusterStats::zapRefused));

    /** {@link LinkStats} of each peer link, tagged {@code node} and {@code peer}. */
    public static final List<Field<LinkStats>> LINK = List.of(
            counter("accepted", "loomnet.cluster.link.accepted", "messages the link took to send",
                    LinkStats::accepted),
            counter("written", "loomnet.cluster.link.written", "messages handed to ZeroMQ", LinkStats::written),
            counter("batches", "loomnet.cluster.link.batches", "ZeroMQ frames written", LinkStats::batches),
            counter("acked", "loomnet.cluster.link.acked", "messages the peer confirmed it received",
                    LinkStats::acked),
            counter("lostWithPeer", "loomnet.cluster.link.lost", "messages lost with a connection that ended",
                    LinkStats::lostWithPeer),
            counter("deadLettered", "loomnet.cluster.link.dead.lettered", "accepted messages that never left",
                    LinkStats::deadLettered),
            gauge("queued", "loomnet.cluster.link.queued", "messages waiting in the link", LinkStats::queued),
            counter("refused", "loomnet.cluster.link.refused", "messages refused: peer down, left, or link closed",
                    LinkStats::refused),
            counter("blocked", "loomnet.cluster.link.blocked", "sends that waited for room (back-pressure)",
                    LinkStats::blocked),
            counter("rejected", "loomnet.cluster.link.rejected", "sends that failed for want of room",
                    LinkStats::rejected));

    /** {@link GatewayStats}, tagged {@code node} and {@code endpoint}. */
    public static final List<Field<GatewayStats>> GATEWAY = List.of(
            counter("requests", "loomnet.gateway.requests", "requests received", GatewayStats::requests),
            counter("ok", "loomnet.gateway.replies.ok", "ok replies", GatewayStats::ok),
            counter("errors", "loomnet.gateway.replies.error", "error replies of every kind", GatewayStats::errors),
            counter("malformed", "loomnet.gateway.requests.malformed", "malformed requests",
                    GatewayStats::malformed),
            counter("tooLarge", "loomnet.gateway.requests.too.large", "requests over the payload limit",
                    GatewayStats::tooLarge),
            counter("timeouts", "loomnet.gateway.calls.timeout", "calls that timed out", GatewayStats::timeouts),
            counter("lateReplies", "loomnet.gateway.replies.late", "replies after their request was answered",
                    GatewayStats::lateReplies),
            gauge("inFlight", "loomnet.gateway.calls.in.flight", "calls in progress", GatewayStats::inFlight));
}
