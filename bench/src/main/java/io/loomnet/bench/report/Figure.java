package io.loomnet.bench.report;

import io.loomnet.bench.api.Workload;

import java.util.List;
import java.util.Map;

/**
 * One row of the report: a figure taken from one workload's JMH results (filtered by parameters)
 * for every runtime.
 *
 * @param metric which number of the JMH result: the primary score, a percentile of a sampled
 *               result, or a secondary result of {@code HeapPeakProfiler}
 */
public record Figure(String id, Workload workload, String title, String unit, boolean higherIsBetter,
                     Map<String, String> params, Metric metric) {

    public enum Metric {
        SCORE, P50, P99, HEAP_PEAK, HEAP_PEAK_AFTER_GC
    }

    /** Report rows, in order. */
    public static final List<Figure> ALL = List.of(
            new Figure("pingpong-1", Workload.PINGPONG, "Ping-pong, 1 pair", "msgs/s", true,
                    Map.of("pairs", "1"), Metric.SCORE),
            new Figure("pingpong-16", Workload.PINGPONG, "Ping-pong, 16 pairs", "msgs/s", true,
                    Map.of("pairs", "16"), Metric.SCORE),
            new Figure("threadring", Workload.THREADRING, "Thread ring, 503 actors", "hops/s", true,
                    Map.of(), Metric.SCORE),
            new Figure("fanin", Workload.FANIN, "Fan-in, 32 senders to 1", "msgs/s", true,
                    Map.of(), Metric.SCORE),
            new Figure("skynet-time", Workload.SKYNET, "Skynet 1M, time per tree", "ms", false,
                    Map.of(), Metric.SCORE),
            new Figure("skynet-heap", Workload.SKYNET, "Skynet 1M, peak heap after GC", "MB", false,
                    Map.of(), Metric.HEAP_PEAK_AFTER_GC),
            new Figure("skynet-heap-sampled", Workload.SKYNET, "Skynet 1M, peak heap sampled", "MB", false,
                    Map.of(), Metric.HEAP_PEAK),
            new Figure("callchain", Workload.CALLCHAIN, "Call chain, 8 hops x 1 ms block, 64 in flight", "req/s",
                    true, Map.of(), Metric.SCORE),
            new Figure("churn", Workload.CHURN, "Spawn/stop churn", "actors/s", true, Map.of(), Metric.SCORE),
            new Figure("remote-tell", Workload.REMOTE_TELL, "Remote tell, 100 B", "msgs/s", true,
                    Map.of(), Metric.SCORE),
            new Figure("remote-call-p50", Workload.REMOTE_CALL, "Remote call, 100 B, p50", "µs", false,
                    Map.of(), Metric.P50),
            new Figure("remote-call-p99", Workload.REMOTE_CALL, "Remote call, 100 B, p99", "µs", false,
                    Map.of(), Metric.P99));

    /** Formats a value of this figure's unit compactly: 12.3 M, 45.6 k, 812, 3.25. */
    public static String format(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return String.format("%.2f M", v / 1e6);
        }
        if (a >= 1e4) {
            return String.format("%.1f k", v / 1e3);
        }
        if (a >= 100) {
            return String.format("%.0f", v);
        }
        if (a >= 10) {
            return String.format("%.1f", v);
        }
        return String.format("%.2f", v);
    }
}
