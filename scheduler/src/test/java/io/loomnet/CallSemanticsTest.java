package io.loomnet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Request/response semantics (Skynet's): reentrancy, errors, timeouts, late replies, mutual exclusion. */
@Timeout(60)
class CallSemanticsTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    private static Node node(Dispatcher d) {
        return Node.builder().dispatcher(d).pooledWorkers(2).closeTimeout(Duration.ofSeconds(5)).start();
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldAnswerACallFromOutside(Dispatcher d) {
        try (Node node = node(d)) {
            Handle echo = node.spawn(() -> (ctx, msg) -> ctx.reply("echo:" + msg.payload()));
            assertEquals("echo:hi", node.call(echo, "hi", SECOND));
        }
    }

    /** A calls B, B calls back A while A's first handler waits: no deadlock, and handlers never overlap. */
    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldCompleteReentrantCycleWithoutOverlappingHandlers(Dispatcher d) throws Exception {
        try (Node node = node(d)) {
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            Handle b = node.spawn(() -> (ctx, msg) -> {
                Handle a = (Handle) msg.payload();
                Object r = ctx.call(a, "inner", SECOND);
                ctx.reply("b(" + r + ")");
            });
            Handle a = node.spawn(() -> (ctx, msg) -> {
                if (inside.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                }
                try {
                    if ("outer".equals(msg.payload())) {
                        inside.decrementAndGet(); // about to suspend: no longer running
                        Object r = ctx.call(b, ctx.self(), SECOND);
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        ctx.reply("a(" + r + ")");
                    } else {
                        ctx.reply("inner-ok");
                    }
                } finally {
                    inside.decrementAndGet();
                }
            });
            for (int i = 0; i < 50; i++) {
                assertEquals("a(b(inner-ok))", node.call(a, "outer", Duration.ofSeconds(5)));
            }
            assertEquals(0, overlaps.get());
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldFailAtOnceForUnknownHandle(Dispatcher d) {
        try (Node node = node(d)) {
            Handle ghost = Handle.of(node.id(), 999_999);
            long t0 = System.nanoTime();
            ServiceUnavailableException e = assertThrows(ServiceUnavailableException.class,
                    () -> node.call(ghost, "x", Duration.ofSeconds(30)));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), lessThan(5_000L));
            assertThat(e.getMessage(), containsString(ghost.toString()));
            assertThat(e.getMessage(), containsString("java.lang.String"));
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldTimeOutAndCountTheLateReply(Dispatcher d) throws Exception {
        try (Node node = node(d)) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch replied = new CountDownLatch(1);
            Handle slow = node.spawn(() -> (ctx, msg) -> {
                ReplyToken t = ctx.replyToken();
                Thread.ofVirtual().start(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    t.reply("late");
                    replied.countDown();
                });
            });
            long t0 = System.nanoTime();
            CallTimeoutException e = assertThrows(CallTimeoutException.class,
                    () -> node.call(slow, "q", Duration.ofMillis(200)));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(ms >= 200, equalTo(true));
            assertThat(ms, lessThan(5_000L));
            assertThat(e.getMessage(), containsString("200 ms"));
            assertThat(e.getMessage(), containsString(slow.toString()));
            release.countDown();
            replied.await();
            assertEquals(1, node.stats().lateReplies());
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldFailCallWhenTargetDiesMidCall(Dispatcher d) throws Exception {
        try (Node node = node(d)) {
            CountDownLatch handling = new CountDownLatch(1);
            Handle victim = node.spawn(() -> (ctx, msg) -> {
                handling.countDown();
                ctx.sleep(Duration.ofSeconds(30)); // waits until killed
            });
            var f = node.ask(victim, "q", Duration.ofSeconds(30)).toCompletableFuture();
            handling.await();
            long t0 = System.nanoTime();
            node.kill(victim);
            ExecutionException e = assertThrows(ExecutionException.class, f::get);
            assertThat(e.getCause(), instanceOf(ServiceUnavailableException.class));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), lessThan(5_000L));
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldReportHandlerFailureToCaller(Dispatcher d) {
        try (Node node = node(d)) {
            Handle bad = node.spawn(() -> (ctx, msg) -> {
                throw new IllegalStateException("boom");
            });
            CallFailedException e = assertThrows(CallFailedException.class, () -> node.call(bad, "q", SECOND));
            assertThat(e.getMessage(), containsString("boom"));
            // RESUME: still alive and answering errors, not hanging
            assertThrows(CallFailedException.class, () -> node.call(bad, "q", SECOND));
        }
    }

    @ParameterizedTest
    @EnumSource(Dispatcher.class)
    void shouldAnswerForgottenReplyWithError(Dispatcher d) {
        try (Node node = node(d)) {
            Handle forgetful = node.spawn(() -> (ctx, msg) -> { });
            CallFailedException e = assertThrows(CallFailedException.class,
                    () -> node.call(forgetful, "q", Duration.ofSeconds(30)));
            assertThat(e.getMessage(), containsString("without replying"));
        }
    }
}
