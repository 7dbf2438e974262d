package io.loomnet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.loomnet.scope.CloseReport;

/** Closing: nothing left behind, idempotent, bounded by the deadline even with a stuck handler. */
@Timeout(60)
class CloseTest {
    private static int nextId = 100;

    private static synchronized int freshId() {
        return nextId++;
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldLeaveNoThreadBehind(Dispatcher d) throws Exception {
        int id = freshId();
        String prefix = "loomnet-" + id + "-";
        Node node = Node.builder().nodeId(id).dispatcher(d).pooledWorkers(2).start();
        CountDownLatch sleeping = new CountDownLatch(10);
        for (int i = 0; i < 10; i++) {
            Handle h = node.spawn(() -> (ctx, msg) -> {
                if (msg.isRequest()) {
                    ctx.reply("pong");
                } else {
                    sleeping.countDown();
                    ctx.sleep(Duration.ofSeconds(30)); // a suspended handler must not outlive close
                }
            });
            node.send(h, "sleep");
            assertEquals("pong", node.call(h, "ping", Duration.ofSeconds(5)));
        }
        assertTrue(sleeping.await(10, TimeUnit.SECONDS));
        assertThat("sanity: the dump sees the node's threads", ThreadLeaks.liveThreadsNamed(prefix), not(empty()));
        CloseReport report = node.shutdown();
        assertTrue(report.clean(), report.toString());
        assertEquals(0, node.stats().liveThreads());
        assertEquals(0, node.stats().liveServices());
        assertThat(ThreadLeaks.liveThreadsNamed(prefix), empty());
        // Stages in the design's order: intake -> transport (none here) -> services -> timers -> dispatchers.
        assertEquals(List.of("intake/intake", "services/services", "timers/monitor", "timers/timing wheel",
                "dispatchers/jfr statistics", "dispatchers/dispatchers"), report.stopped());
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldCloseIdempotentlyFromManyThreads(Dispatcher d) throws Exception {
        Node node = Node.builder().nodeId(freshId()).dispatcher(d).pooledWorkers(2).start();
        node.spawn(() -> (ctx, msg) -> { });
        int threads = 4;
        CyclicBarrier barrier = new CyclicBarrier(threads);
        AtomicReference<CloseReport> first = new AtomicReference<>();
        AtomicBoolean different = new AtomicBoolean();
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            ts[i] = Thread.ofPlatform().start(() -> {
                try {
                    barrier.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                CloseReport r = node.shutdown();
                if (!first.compareAndSet(null, r) && first.get() != r) {
                    different.set(true);
                }
            });
        }
        for (Thread t : ts) {
            t.join();
        }
        assertFalse(different.get(), "every closer gets the same report");
        assertSame(first.get(), node.shutdown());
        node.close();
        assertThrows(NodeClosedException.class, () -> node.spawn(() -> (ctx, msg) -> { }));
        assertThrows(NodeClosedException.class, () -> node.send(node.handle(), "x"));
    }

    /** A handler in an endless loop: close still returns by its deadline and reports the stuck service. */
    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldBoundCloseByDeadlineAndReportStuckHandler(Dispatcher d) throws Exception {
        AtomicBoolean spin = new AtomicBoolean(true);
        CountDownLatch looping = new CountDownLatch(1);
        AtomicReference<StackTraceElement[]> reported = new AtomicReference<>();
        Node node = Node.builder().nodeId(freshId()).dispatcher(d).pooledWorkers(2)
                .closeTimeout(Duration.ofMillis(1500)).listener(new NodeListener() {
                    @Override
                    public void onStuckHandler(Handle s, String type, Duration running, StackTraceElement[] stack) {
                        reported.set(stack);
                    }
                }).start();
        try {
            Handle h = node.spawn(() -> (ctx, msg) -> {
                looping.countDown();
                while (spin.get()) {
                    Thread.onSpinWait();
                }
            });
            node.send(h, "loop");
            assertTrue(looping.await(10, TimeUnit.SECONDS));
            long t0 = System.nanoTime();
            CloseReport report = node.shutdown();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(ms, lessThan(1500L + 1000L));
            assertFalse(report.clean());
            assertThat(report.notStopped().toString(), containsString("services"));
            assertThat(reported.get().length > 0, org.hamcrest.Matchers.is(true));
            assertThat(java.util.Arrays.toString(reported.get()), containsString("CloseTest"));
        } finally {
            spin.set(false); // let the spinning thread end so it does not leak into other tests
        }
    }
}
