package io.loomnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.loomnet.scope.CloseReport;

/**
 * One million services on VIRTUAL, in the default heap: spawned, each handling one message, then all stopped
 * by closing the node. Prints its timings and heap use. Tagged {@code slow}: run with
 * {@code mvn -pl scheduler test -Dloomnet.test.groups=slow -Dloomnet.test.excludedGroups=}.
 */
@Tag("slow")
class ScaleTest {
    @Test
    @Timeout(600)
    void shouldSpawnAndStopOneMillionVirtualServices() throws Exception {
        int n = 1_000_000;
        LongAdder handled = new LongAdder();
        Node node = Node.builder().nodeId(7).dispatcher(Dispatcher.VIRTUAL).closeTimeout(Duration.ofMinutes(5))
                .start();
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        long t0 = System.nanoTime();
        Handle[] handles = new Handle[n];
        for (int i = 0; i < n; i++) {
            handles[i] = node.spawn(() -> (ctx, msg) -> handled.increment());
        }
        long spawnedNanos = System.nanoTime() - t0;
        for (Handle h : handles) {
            node.send(h, "hello");
        }
        while (handled.sum() < n) {
            Thread.sleep(10); // polling a counter the test itself cannot latch on cheaply for 1M services
        }
        long handledNanos = System.nanoTime() - t0;
        System.gc();
        long heapLive = rt.totalMemory() - rt.freeMemory();
        assertEquals(n, node.stats().liveServices());
        long t1 = System.nanoTime();
        CloseReport r = node.shutdown();
        long closeNanos = System.nanoTime() - t1;
        assertTrue(r.clean(), r.toString());
        assertEquals(0, node.stats().liveServices());
        assertEquals(0, node.stats().liveThreads());
        System.out.printf("1M VIRTUAL services: spawn %d ms, spawn+handle %d ms, close (stop all) %d ms, "
                        + "heap with all live ~%d bytes/service (max heap %d MiB)%n",
                spawnedNanos / 1_000_000, handledNanos / 1_000_000, closeNanos / 1_000_000,
                (heapLive - heapBefore) / n, rt.maxMemory() >> 20);
    }
}
