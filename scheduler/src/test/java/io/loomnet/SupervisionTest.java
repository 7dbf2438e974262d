package io.loomnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Failure policies RESUME, RESTART (limits, backoff), STOP, and failure reports to the parent. */
@Timeout(60)
class SupervisionTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    /** A counter service: "inc" increments and replies with the count, "crash" throws. */
    static final class Counter implements Service {
        private int count;

        @Override
        public void onMessage(Context ctx, Message msg) {
            if ("crash".equals(msg.payload())) {
                throw new IllegalStateException("crash requested");
            }
            if (msg.isRequest()) {
                ctx.reply(++count);
            }
        }
    }

    /** Spawns one child with the given policy and forwards everything it learns to the test. */
    static final class Parent implements Service {
        private final Supervision policy;
        private final BlockingQueue<Object> events;
        private final AtomicInteger instances;
        Handle child;

        Parent(Supervision policy, BlockingQueue<Object> events, AtomicInteger instances) {
            this.policy = policy;
            this.events = events;
            this.instances = instances;
        }

        @Override
        public void onStart(Context ctx) {
            child = ctx.spawn(() -> {
                instances.incrementAndGet();
                return new Counter();
            }, ServiceOptions.defaults().withSupervision(policy));
            ctx.watch(child);
        }

        @Override
        public void onMessage(Context ctx, Message msg) {
            if (msg.type() == MessageType.SYSTEM) {
                events.add(msg.payload());
            } else if (msg.isRequest()) {
                ctx.reply(child);
            }
        }
    }

    private static Handle childOf(Node node, Supervision policy, BlockingQueue<Object> events, AtomicInteger inst) {
        Handle parent = node.spawn(() -> new Parent(policy, events, inst));
        return (Handle) node.call(parent, "child?", SECOND);
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldResumeWithSameStateByDefault(Dispatcher d) throws Exception {
        try (Node node = Node.builder().dispatcher(d).pooledWorkers(2).start()) {
            BlockingQueue<Object> events = new LinkedBlockingQueue<>();
            AtomicInteger instances = new AtomicInteger();
            Handle c = childOf(node, Supervision.resume(), events, instances);
            assertEquals(1, node.call(c, "inc", SECOND));
            node.send(c, "crash");
            ChildFailed f = (ChildFailed) events.poll(10, TimeUnit.SECONDS);
            assertEquals(Supervision.Kind.RESUME, f.action());
            assertEquals(c, f.child());
            assertEquals(MessageType.TELL, f.type());
            assertEquals(String.class.getName(), f.payloadType());
            assertEquals(2, node.call(c, "inc", SECOND), "same instance, state kept");
            assertEquals(1, instances.get());
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldRestartWithFreshInstanceThenStopPastTheLimit(Dispatcher d) throws Exception {
        try (Node node = Node.builder().dispatcher(d).pooledWorkers(2).start()) {
            BlockingQueue<Object> events = new LinkedBlockingQueue<>();
            AtomicInteger instances = new AtomicInteger();
            Supervision policy = Supervision.restart(2, Duration.ofMinutes(1), Duration.ofMillis(20),
                    Duration.ofMillis(80));
            Handle c = childOf(node, policy, events, instances);
            assertEquals(1, node.call(c, "inc", SECOND));
            assertEquals(2, node.call(c, "inc", SECOND));
            for (int restart = 1; restart <= 2; restart++) {
                long t0 = System.nanoTime();
                node.send(c, "crash");
                ChildFailed f = (ChildFailed) events.poll(10, TimeUnit.SECONDS);
                assertEquals(Supervision.Kind.RESTART, f.action());
                // messages sent during the backoff wait and go to the fresh instance
                assertEquals(1, node.call(c, "inc", Duration.ofSeconds(5)), "fresh instance after restart " + restart);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(ms >= 20 * restart, "backoff " + ms + " ms");
                assertEquals(restart + 1, instances.get());
            }
            node.send(c, "crash"); // third failure within the window: the policy gives up
            ChildFailed f = (ChildFailed) events.poll(10, TimeUnit.SECONDS);
            assertEquals(Supervision.Kind.STOP, f.action());
            Terminated t = (Terminated) events.poll(10, TimeUnit.SECONDS);
            assertEquals(c, t.service());
            assertEquals(Terminated.Reason.FAILED, t.reason());
            assertThrows(ServiceUnavailableException.class, () -> node.call(c, "inc", SECOND));
            assertEquals(2, node.stats(c).map(ServiceStats::restarts).orElse(2));
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldStopOnFailureWithStopPolicy(Dispatcher d) throws Exception {
        try (Node node = Node.builder().dispatcher(d).pooledWorkers(2).start()) {
            BlockingQueue<Object> events = new LinkedBlockingQueue<>();
            Handle c = childOf(node, Supervision.stop(), events, new AtomicInteger());
            var pending = node.ask(c, "crash", Duration.ofSeconds(5)).toCompletableFuture(); // a request: its caller gets the failure
            var e = assertThrows(java.util.concurrent.ExecutionException.class, pending::get);
            assertInstanceOf(CallFailedException.class, e.getCause());
            ChildFailed failed = (ChildFailed) events.poll(10, TimeUnit.SECONDS);
            assertEquals(Supervision.Kind.STOP, failed.action());
            assertEquals(MessageType.REQUEST, failed.type(), "the failing message was a request");
            Terminated t = (Terminated) events.poll(10, TimeUnit.SECONDS);
            assertEquals(Terminated.Reason.FAILED, t.reason());
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldReportFailedStartToParentAndWatchers(Dispatcher d) throws Exception {
        try (Node node = Node.builder().dispatcher(d).pooledWorkers(2).start()) {
            BlockingQueue<Object> events = new LinkedBlockingQueue<>();
            java.util.concurrent.CountDownLatch watched = new java.util.concurrent.CountDownLatch(1);
            node.spawn(() -> new Service() {
                @Override
                public void onStart(Context ctx) {
                    Handle kid = ctx.spawn(() -> new Service() {
                        @Override
                        public void onStart(Context c) throws InterruptedException {
                            watched.await(); // fail only once the parent watches, or it would see UNKNOWN
                            throw new IllegalArgumentException("bad config");
                        }

                        @Override
                        public void onMessage(Context c, Message m) {
                        }
                    });
                    ctx.watch(kid);
                    watched.countDown();
                }

                @Override
                public void onMessage(Context ctx, Message msg) {
                    events.add(msg.payload());
                }
            });
            ChildFailed f = (ChildFailed) events.poll(10, TimeUnit.SECONDS);
            assertEquals("onStart", f.payloadType());
            assertEquals(null, f.type(), "no message was being handled");
            assertTrue(f.failure().contains("bad config"));
            Terminated t = (Terminated) events.poll(10, TimeUnit.SECONDS);
            assertEquals(Terminated.Reason.FAILED, t.reason());
        }
    }

    @Test
    void restartShortFormsFillInTheDocumentedDefaults() {
        Supervision all = Supervision.restart();
        assertEquals(Supervision.Kind.RESTART, all.kind());
        assertEquals(Supervision.DEFAULT_MAX_RESTARTS, all.maxRestarts());
        assertEquals(Supervision.DEFAULT_WINDOW, all.window());
        assertEquals(Supervision.DEFAULT_MIN_BACKOFF, all.minBackoff());
        assertEquals(Supervision.DEFAULT_MAX_BACKOFF, all.maxBackoff());
        assertEquals(3, Supervision.DEFAULT_MAX_RESTARTS);
        assertEquals(Duration.ofMinutes(1), Supervision.DEFAULT_WINDOW);
        assertEquals(Duration.ofMillis(100), Supervision.DEFAULT_MIN_BACKOFF);
        assertEquals(Duration.ofSeconds(5), Supervision.DEFAULT_MAX_BACKOFF);

        Supervision two = Supervision.restart(5, Duration.ofSeconds(30));
        assertEquals(5, two.maxRestarts());
        assertEquals(Duration.ofSeconds(30), two.window());
        assertEquals(Supervision.DEFAULT_MIN_BACKOFF, two.minBackoff());
        assertEquals(Supervision.DEFAULT_MAX_BACKOFF, two.maxBackoff());

        assertThrows(IllegalArgumentException.class, () -> Supervision.restart(0, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> Supervision.restart(1, Duration.ZERO));
    }
}
