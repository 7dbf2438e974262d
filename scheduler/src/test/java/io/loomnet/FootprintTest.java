package io.loomnet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Heap per idle service: 100,000 services that have each handled one message and then sat idle past the
 * idle-thread timeout, measured with {@link MemoryMXBean} after GC, less the heap before they were spawned. Prints
 * the figure; fails if it grows past a bound about 40% above what was measured when the bound was written (about
 * 525 B on {@code VIRTUAL}, whose idle services have given their threads up, and 505 B on {@code POOLED}; with a
 * parked virtual thread each, {@code VIRTUAL} measured about 3 KB), so a field added to every cell by mistake, or a
 * thread that no longer ends, shows. Tagged {@code slow}: {@code mvn -pl scheduler test -Dtest=FootprintTest
 * -Dloomnet.test.groups=slow -Dloomnet.test.excludedGroups=}.
 */
@Tag("slow")
@Timeout(120)
class FootprintTest {
    private static final int SERVICES = 100_000;

    @ParameterizedTest
    @EnumSource(value = Dispatcher.class, names = {"VIRTUAL", "POOLED"})
    void shouldKeepAnIdleServiceSmall(Dispatcher d) throws Exception {
        long bound = 720;
        try (Node node = Node.builder().dispatcher(d).monitorInterval(Duration.ofMillis(50))
                .idleThreadTimeout(Duration.ofMillis(100)).start()) {
            long before = heapAfterGc();
            Handle[] hs = new Handle[SERVICES];
            CountDownLatch handled = new CountDownLatch(SERVICES);
            for (int i = 0; i < SERVICES; i++) {
                hs[i] = node.spawn(() -> (ctx, msg) -> handled.countDown());
            }
            for (Handle h : hs) {
                node.send(h, "hello");
            }
            assertTrue(handled.await(60, TimeUnit.SECONDS), "services did not handle their message: " + node.stats());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long workers = d == Dispatcher.POOLED ? node.stats().liveThreads() : 0;
            while (node.stats().liveThreads() > workers) { // on VIRTUAL: idle services give their threads up
                assertTrue(System.nanoTime() < deadline, "idle threads did not end: " + node.stats());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            long perService = (heapAfterGc() - before) / SERVICES;
            System.out.printf("FootprintTest: %s, %,d idle services: %d B of heap each%n", d, SERVICES, perService);
            assertTrue(perService <= bound, d + ": " + perService + " B per idle service, bound " + bound);
            assertTrue(hs.length == SERVICES); // keep the handles reachable until measured
        }
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc(); // a full, stop-the-world collection on G1 unless explicit GCs are concurrent
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
