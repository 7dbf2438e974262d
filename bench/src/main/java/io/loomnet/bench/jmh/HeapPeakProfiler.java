package io.loomnet.bench.jmh;

import com.sun.management.GarbageCollectionNotificationInfo;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Peak heap during each iteration, two ways:
 * <ul>
 *   <li>{@code heap.peak}: used heap sampled every 5 ms by a platform thread, maximum over the
 *   iteration. It includes garbage not yet collected, so it depends on heap size and GC timing.</li>
 *   <li>{@code heap.peakAfterGc}: the largest used heap right after any collection that ran during
 *   the iteration (from GC notifications). That approximates the peak <em>retained</em> heap; it is
 *   0 if no collection ran.</li>
 * </ul>
 * Before each iteration the profiler runs {@code System.gc()} and records {@code heap.baseline}.
 * All in MB (2^20 bytes); across iterations the maximum is reported.
 */
public final class HeapPeakProfiler implements InternalProfiler {
    private static final double MB = 1024.0 * 1024.0;

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Set<String> heapPools = new HashSet<>();
    private final AtomicLong peakSampled = new AtomicLong();
    private final AtomicLong peakAfterGc = new AtomicLong();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onGc;
    private volatile boolean sampling;
    private Thread sampler;
    private long baseline;

    public HeapPeakProfiler() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
    }

    @Override
    public String getDescription() {
        return "Peak used heap per iteration: sampled every 5 ms, and right after each GC";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        System.gc();
        System.gc();
        baseline = memory.getHeapMemoryUsage().getUsed();
        peakSampled.set(baseline);
        peakAfterGc.set(0);
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(listener, null, null);
                emitters.add(e);
            }
        }
        sampling = true;
        sampler = Thread.ofPlatform().name(Leaks.HEAP_SAMPLER).daemon().start(() -> {
            while (sampling) {
                peakSampled.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private void onGc(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long used = 0;
        for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(e.getKey())) {
                used += e.getValue().getUsed();
            }
        }
        long u = used;
        peakAfterGc.accumulateAndGet(u, Math::max);
    }

    @Override
    public List<? extends Result<?>> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                 IterationResult result) {
        sampling = false;
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        peakSampled.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (Exception ignored) {
                // already removed
            }
        }
        emitters.clear();
        return List.of(
                new ScalarResult("heap.peak", peakSampled.get() / MB, "MB", AggregationPolicy.MAX),
                new ScalarResult("heap.peakAfterGc", peakAfterGc.get() / MB, "MB", AggregationPolicy.MAX),
                new ScalarResult("heap.baseline", baseline / MB, "MB", AggregationPolicy.AVG));
    }
}
