package io.loomnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.loomnet.scope.CloseReport;

/**
 * Idle services give their thread up ({@code idle-thread-timeout}) on the dispatchers that give each service its
 * own thread, and the next message starts a new one: same instance, nothing lost, order kept, close clean.
 */
@Timeout(120)
class IdleThreadTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Node node(Dispatcher d, Duration interval, Duration idle) {
        return Node.builder().dispatcher(d).monitorInterval(interval).idleThreadTimeout(idle).start();
    }

    /** Waits (a bounded poll: the monitor acts on its own clock) until {@code condition} holds. */
    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Dispatcher.class, names = {"VIRTUAL", "PLATFORM"})
    void shouldEndAnIdleServicesThreadAndStartOneForItsNextMessage(Dispatcher d) {
        try (Node node = node(d, Duration.ofMillis(10), Duration.ofMillis(20))) {
            Handle[] hs = new Handle[20];
            for (int i = 0; i < hs.length; i++) {
                hs[i] = node.spawn(() -> new Service() {
                    private int calls; // the instance's state must survive its thread

                    @Override
                    public void onMessage(Context ctx, Message msg) {
                        ctx.reply(++calls);
                    }
                });
                assertEquals(1, (Integer) node.call(hs[i], "first", WAIT));
            }
            await("every idle service gave its thread up", () -> node.stats().liveThreads() == 0);
            for (Handle h : hs) {
                assertEquals(2, (Integer) node.call(h, "second", WAIT));
            }
            // A handler is counted after it returns, so its reply can arrive first: wait for the count.
            await("40 messages counted as handled", () -> node.stats().handled() == 40);
            CloseReport report = node.shutdown();
            assertTrue(report.clean(), report.toString());
            assertEquals(0, node.stats().liveThreads());
        }
    }

    /**
     * A handler waiting in a call leaves its service dormant; a message that comes in meanwhile starts a driver
     * for it, and the waiting handler still gets its answer and finishes. The callee holds its answer in a reply
     * token until the test releases it, so the second request provably ran while the first handler waited (its
     * mailbox is FIFO: "ping" can only be handled before "go" ends if another thread drives the service), with
     * idle retirement looking every 5 ms meanwhile.
     */
    @ParameterizedTest
    @EnumSource(value = Dispatcher.class, names = {"VIRTUAL", "PLATFORM"})
    void shouldServeAServiceWhileItsHandlerWaitsInACall(Dispatcher d) throws Exception {
        try (Node node = node(d, Duration.ofMillis(5), Duration.ofMillis(5))) {
            java.util.concurrent.CompletableFuture<ReplyToken> held = new java.util.concurrent.CompletableFuture<>();
            Handle slow = node.spawn(() -> (ctx, msg) -> held.complete(ctx.replyToken()));
            Handle caller = node.spawn(() -> (ctx, msg) -> {
                if ("go".equals(msg.payload())) {
                    ctx.reply(ctx.call(slow, "x", WAIT));
                } else {
                    ctx.reply("quick");
                }
            });
            var answer = node.ask(caller, "go", WAIT).toCompletableFuture();
            ReplyToken token = held.get(10, TimeUnit.SECONDS); // the caller's handler is now waiting in its call
            assertEquals("quick", node.call(caller, "ping", WAIT));
            assertTrue(!answer.isDone(), "the first request is still waiting for its call");
            assertTrue(token.reply("slow"));
            assertEquals("slow", answer.get(10, TimeUnit.SECONDS));
            assertEquals("quick", node.call(caller, "ping", WAIT));
        }
    }

    /**
     * On {@code POOLED} a handler blocked in a call is replaced by a spare worker when one is parked: 200 calls made
     * one after another run on a handful of platform threads, not one new thread per call.
     */
    @org.junit.jupiter.api.Test
    void shouldReuseSpareWorkersForBlockedHandlersOnPooled() {
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (Node node = Node.builder().dispatcher(Dispatcher.POOLED).pooledWorkers(2).start()) {
            Handle callee = node.spawn(() -> (ctx, msg) -> {
                threads.add(Thread.currentThread().getName());
                ctx.reply(msg.payload());
            });
            Handle caller = node.spawn(() -> (ctx, msg) -> {
                threads.add(Thread.currentThread().getName());
                ctx.reply(ctx.call(callee, msg.payload(), WAIT));
            });
            for (int i = 0; i < 200; i++) {
                assertEquals(i, (Integer) node.call(caller, i, WAIT));
            }
            assertTrue(threads.size() <= 8, "200 calls ran on " + threads.size() + " threads: " + threads);
            CloseReport report = node.shutdown();
            assertTrue(report.clean(), report.toString());
            assertEquals(0, node.stats().liveThreads());
        }
    }

    /**
     * Retirement races arrivals: with the monitor looking every millisecond and a 1 ms timeout, services retire
     * between the producers' bursts while messages come in. Producers start on a barrier; each message carries its
     * producer and sequence, and every service checks FIFO per producer. Every message must be handled once.
     */
    @ParameterizedTest
    @EnumSource(value = Dispatcher.class, names = {"VIRTUAL", "PLATFORM"})
    void shouldLoseNothingWhileThreadsRetireUnderTraffic(Dispatcher d) throws Exception {
        int producers = 4;
        int services = 16;
        int perProducer = d == Dispatcher.VIRTUAL ? 40_000 : 8_000;
        LongAdder handled = new LongAdder();
        AtomicLong outOfOrder = new AtomicLong();
        try (Node node = node(d, Duration.ofMillis(1), Duration.ofMillis(1))) {
            Handle[] hs = new Handle[services];
            for (int i = 0; i < services; i++) {
                hs[i] = node.spawn(() -> {
                    long[] last = new long[producers];
                    java.util.Arrays.fill(last, -1);
                    return (ctx, msg) -> {
                        long v = (Long) msg.payload();
                        int p = (int) (v >>> 32);
                        long seq = v & 0xffff_ffffL;
                        if (seq <= last[p]) {
                            outOfOrder.incrementAndGet();
                        }
                        last[p] = seq;
                        handled.increment();
                    };
                });
            }
            CyclicBarrier start = new CyclicBarrier(producers);
            Thread[] ts = new Thread[producers];
            for (int p = 0; p < producers; p++) {
                long id = p;
                ts[p] = Thread.ofPlatform().name("idle-test-producer-" + p).start(() -> {
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    for (long seq = 0; seq < perProducer; seq++) {
                        node.send(hs[(int) (seq % services)], (id << 32) | seq);
                        if (r.nextInt(64) == 0) {
                            LockSupport.parkNanos(r.nextLong(3_000_000)); // a pause: some services retire now
                        }
                    }
                });
            }
            for (Thread t : ts) {
                t.join();
            }
            long sent = (long) producers * perProducer;
            await("all " + sent + " messages handled (" + handled.sum() + " so far)", () -> handled.sum() == sent);
            assertEquals(0, outOfOrder.get(), "messages out of order per producer");
            await("the node counted all " + sent + " as handled", () -> node.stats().handled() == sent);
            assertEquals(0, node.stats().deadLetters());
            await("threads retired after the traffic", () -> node.stats().liveThreads() == 0);
            CloseReport report = node.shutdown();
            assertTrue(report.clean(), report.toString());
        }
    }
}
