package io.loomnet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Context#every}: a fixed-rate timer on the wheel that ticks until cancelled or until its service stops.
 * Absence of ticks is checked against a second timer on the same wheel (the "clock"), never against a sleep.
 */
@Timeout(60)
class EveryTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final Duration PERIOD = Duration.ofMillis(20);
    private static final long WAIT_S = 10;

    record Start(Duration period, Object payload) {
    }

    record Clock(int ticks) {
    }

    /** Counts "tick" timers; "late" counts ticks handled after its cancel() returned. */
    static final class Ticker implements Service {
        final CountDownLatch ticked;
        final AtomicInteger ticks = new AtomicInteger();
        final AtomicInteger late = new AtomicInteger();
        volatile boolean cancelReturned;
        CountDownLatch clock;
        Cancellable timer;

        Ticker(int expectTicks) {
            this.ticked = new CountDownLatch(expectTicks);
        }

        @Override
        public void onMessage(Context ctx, Message msg) {
            if (msg.type() == MessageType.TIMER) {
                if ("tick".equals(msg.payload())) {
                    ticks.incrementAndGet();
                    if (cancelReturned) {
                        late.incrementAndGet();
                    }
                    ticked.countDown();
                } else if ("clock".equals(msg.payload())) {
                    clock.countDown();
                }
                return;
            }
            switch (msg.payload()) {
                case Start s -> {
                    timer = ctx.every(s.period(), s.payload());
                    ctx.reply(timer);
                }
                case Clock c -> {
                    clock = new CountDownLatch(c.ticks());
                    ctx.every(PERIOD, "clock");
                    ctx.reply(clock);
                }
                default -> ctx.reply(ticks.get());
            }
        }
    }

    private static Node node(Dispatcher d) {
        return Node.builder().dispatcher(d).pooledWorkers(2).closeTimeout(Duration.ofSeconds(5)).start();
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void deliversTicksUntilCancelledAndNoneAfter(Dispatcher d) throws Exception {
        try (Node node = node(d)) {
            Ticker ticker = new Ticker(5);
            Handle h = node.spawn(() -> ticker);
            Cancellable timer = node.call(h, new Start(PERIOD, "tick"), Cancellable.class, SECOND);
            assertTrue(ticker.ticked.await(WAIT_S, TimeUnit.SECONDS), "5 ticks");

            assertTrue(timer.cancel(), "cancel from another thread stops it");
            ticker.cancelReturned = true;
            int atCancel = node.call(h, "count", Integer.class, SECOND); // the service has acknowledged the cancel
            assertFalse(timer.cancel(), "a second cancel does nothing");

            // Five periods of a second timer on the same wheel: the cancelled one would have ticked meanwhile.
            CountDownLatch clock = node.call(h, new Clock(5), CountDownLatch.class, SECOND);
            assertTrue(clock.await(WAIT_S, TimeUnit.SECONDS), "the clock ticks");
            assertEquals(atCancel, node.call(h, "count", Integer.class, SECOND), "no tick after the cancel");
            assertEquals(0, ticker.late.get(), "no tick handled after cancel() returned, not even a queued one");
        }
    }

    /** Cancelled from inside its own handler while later ticks are already queued: none of them is handled. */
    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void cancelInsideTheServiceDropsTicksAlreadyQueued(Dispatcher d) throws Exception {
        try (Node node = node(d)) {
            AtomicInteger handled = new AtomicInteger();
            CountDownLatch cancelled = new CountDownLatch(1);
            AtomicLong queuedAtCancel = new AtomicLong();
            Handle h = node.spawn(() -> new Service() {
                Cancellable timer;

                @Override
                public void onStart(Context ctx) {
                    timer = ctx.every(Duration.ofMillis(10), "tick");
                }

                @Override
                public void onMessage(Context ctx, Message msg) {
                    if (msg.type() != MessageType.TIMER) {
                        ctx.reply(handled.get());
                        return;
                    }
                    if (handled.incrementAndGet() == 1) {
                        // hold the service until a later tick is queued behind this one (an await, not a guess)
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
                        while (ctx.node().stats(ctx.self()).orElseThrow().queueLength() == 0
                                && System.nanoTime() < deadline) {
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                        }
                        queuedAtCancel.set(ctx.node().stats(ctx.self()).orElseThrow().queueLength());
                        timer.cancel();
                        cancelled.countDown();
                    }
                }
            });
            assertTrue(cancelled.await(WAIT_S, TimeUnit.SECONDS));
            assertEquals(1, node.call(h, "count", Integer.class, SECOND), "queued ticks were dropped");
            assertThat(queuedAtCancel.get(), greaterThanOrEqualTo(1L));
            var ended = node.termination(h).orElseThrow();
            node.stop(h); // once it has terminated nothing is in flight, so the counts are final
            ended.toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
            NodeStats s = node.stats();
            assertEquals(s.sent(), s.handled() + s.deadLetters(), "dropped ticks are taken back, not lost: " + s);
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void stopsWithItsService(Dispatcher d) throws Exception {
        try (Node node = node(d)) {
            Ticker ticker = new Ticker(3);
            Handle h = node.spawn(() -> ticker);
            Cancellable timer = node.call(h, new Start(PERIOD, "tick"), Cancellable.class, SECOND);
            assertTrue(ticker.ticked.await(WAIT_S, TimeUnit.SECONDS));
            var ended = node.termination(h).orElseThrow();
            assertTrue(node.stop(h));
            ended.toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS);
            assertFalse(timer.cancel(), "the stop already cancelled it");

            // Another service's timer on the same wheel runs for five periods; the stopped one adds nothing.
            long sentBefore = node.stats().sent();
            Ticker other = new Ticker(0);
            Handle o = node.spawn(() -> other);
            CountDownLatch clock = node.call(o, new Clock(5), CountDownLatch.class, SECOND);
            assertTrue(clock.await(WAIT_S, TimeUnit.SECONDS));
            node.stop(o);
            node.termination(o).ifPresent(f -> f.toCompletableFuture().join());
            NodeStats s = node.stats();
            assertEquals(0, s.deadLetters(), "no tick of a stopped service becomes a dead letter: " + s);
            assertEquals(s.sent(), s.handled(), "every tick sent was handled: " + s);
            assertThat("the clock's ticks and the request were sent", s.sent() - sentBefore,
                    greaterThanOrEqualTo(5L + 1));
        }
    }

    /**
     * Fixed rate: the n-th tick is planned n periods after {@code every} was called, and the wheel never runs a task
     * before its time, so no tick comes early, however slow the handler. (That the schedule does not stretch after a
     * late tick follows from {@code PeriodicTimer} planning from the planned time; a test asserting an upper bound
     * on wall-clock time would fail on a loaded machine, so none is made here.)
     */
    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void ticksAreNeverEarlyEvenWithASlowHandler(Dispatcher d) throws Exception {
        try (Node node = node(d)) {
            int n = 10;
            long periodNanos = TimeUnit.MILLISECONDS.toNanos(20);
            CountDownLatch done = new CountDownLatch(n);
            AtomicLong startNanos = new AtomicLong();
            java.util.List<String> early = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
            Handle h = node.spawn(() -> (ctx, msg) -> {
                if (msg.type() == MessageType.TIMER) {
                    int k = seen.incrementAndGet();
                    long at = System.nanoTime() - startNanos.get();
                    if (at < k * periodNanos) {
                        early.add("tick " + k + " at " + at + " ns");
                    }
                    LockSupport.parkNanos(periodNanos * 3 / 4); // work: most of a period
                    done.countDown();
                } else {
                    startNanos.set(System.nanoTime());
                    ctx.every(Duration.ofNanos(periodNanos), "tick");
                    ctx.reply("started");
                }
            });
            node.call(h, "start", SECOND);
            assertTrue(done.await(WAIT_S, TimeUnit.SECONDS));
            assertTrue(early.isEmpty(), early.toString());
            node.stop(h);
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void rejectsNonPositivePeriods(Dispatcher d) {
        try (Node node = node(d)) {
            Handle h = node.spawn(() -> (ctx, msg) -> {
                try {
                    ctx.every((Duration) msg.payload(), "tick");
                    ctx.reply("accepted");
                } catch (IllegalArgumentException e) {
                    ctx.reply(e.getMessage());
                }
            });
            assertThat(node.call(h, Duration.ZERO, String.class, SECOND), containsString("period must be positive"));
            assertThat(node.call(h, Duration.ofMillis(-5), String.class, SECOND), containsString("period"));
        }
    }
}
