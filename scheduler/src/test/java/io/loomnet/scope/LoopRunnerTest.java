package io.loomnet.scope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared loop runner: hook order, stop by signal from many threads, errors reported and survived. */
@Timeout(30)
class LoopRunnerTest {
    private static final long FAR = TimeUnit.SECONDS.toNanos(10);

    /** A loop that waits on a queue; a wake-up is a queued marker, so it is sticky. */
    private static class QueueLoop implements Loop {
        final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(1024);
        final List<String> hooks = new CopyOnWriteArrayList<>();
        final AtomicInteger turns = new AtomicInteger();
        final CountDownLatch worked = new CountDownLatch(1);
        volatile Thread startedOn;
        volatile Thread closedOn;

        @Override
        public void onStart() {
            startedOn = Thread.currentThread();
            hooks.add("start");
        }

        @Override
        public boolean doWork() throws InterruptedException {
            Object o = queue.take();
            turns.incrementAndGet();
            if (o instanceof RuntimeException e) {
                throw e;
            }
            if ("work".equals(o)) {
                worked.countDown();
            }
            return !"end".equals(o);
        }

        @Override
        public void wake() {
            queue.offer("wake");
        }

        @Override
        public void onClose() {
            closedOn = Thread.currentThread();
            hooks.add("close");
        }
    }

    @Test
    void shouldRunHooksInOrderOnOneNamedThread() throws Exception {
        QueueLoop loop = new QueueLoop();
        LoopRunner r = LoopRunner.start("test-order", loop, LoopErrorHandler.logging());
        r.awaitStarted(Duration.ofSeconds(5));
        assertEquals("loomnet-test-order", r.threadName());
        loop.queue.put("work");
        assertTrue(r.stop(System.nanoTime() + FAR));
        assertEquals(List.of("start", "close"), loop.hooks);
        assertEquals(r.thread(), loop.startedOn);
        assertEquals(r.thread(), loop.closedOn);
        assertFalse(r.isRunning());
        assertTrue(r.stop(System.nanoTime() + FAR), "stop is idempotent");
    }

    @Test
    void shouldEndWhenATurnReturnsFalse() throws Exception {
        QueueLoop loop = new QueueLoop();
        LoopRunner r = LoopRunner.start("test-end", loop, LoopErrorHandler.logging());
        loop.queue.put("end");
        r.thread().join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(r.isRunning());
        assertEquals(List.of("start", "close"), loop.hooks);
        assertFalse(r.isStopRequested());
    }

    @Test
    void shouldReportFailedTurnsAndGoOn() throws Exception {
        QueueLoop loop = new QueueLoop();
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        CountDownLatch three = new CountDownLatch(3);
        LoopRunner r = LoopRunner.start("test-errors", loop, (thread, e) -> {
            assertEquals("loomnet-test-errors", thread);
            seen.add(e);
            three.countDown();
        });
        for (int i = 0; i < 3; i++) {
            loop.queue.put(new IllegalStateException("boom " + i));
        }
        assertTrue(three.await(10, TimeUnit.SECONDS));
        loop.queue.put("work");
        assertTrue(loop.worked.await(10, TimeUnit.SECONDS), "the loop went on after its failures");
        assertTrue(r.stop(System.nanoTime() + FAR));
        assertEquals(3, seen.size());
    }

    @Test
    void shouldEndOnErrorAndStillClose() throws Exception {
        Loop loop = new Loop() {
            @Override
            public boolean doWork() {
                throw new AssertionError("fatal");
            }

            @Override
            public void wake() {
            }
        };
        List<Throwable> seen = new CopyOnWriteArrayList<>();
        LoopRunner r = LoopRunner.start("test-fatal", loop, (t, e) -> seen.add(e));
        r.thread().join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(r.isRunning());
        assertEquals(1, seen.size());
        assertTrue(seen.get(0) instanceof AssertionError);
    }

    @Test
    void shouldFailAwaitStartedWithTheCause() throws Exception {
        QueueLoop loop = new QueueLoop() {
            @Override
            public void onStart() {
                throw new IllegalArgumentException("cannot bind");
            }
        };
        LoopRunner r = LoopRunner.start("test-start-fails", loop, LoopErrorHandler.logging());
        LoopStartException e = assertThrows(LoopStartException.class, () -> r.awaitStarted(Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("loomnet-test-start-fails"), e.getMessage());
        assertTrue(e.getCause() instanceof IllegalArgumentException);
        r.thread().join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(List.of("close"), loop.hooks, "onClose runs after a failed start");
    }

    @RepeatedTest(20)
    void shouldStopOnceWhenManyThreadsStopAtOnce() throws Exception {
        QueueLoop loop = new QueueLoop();
        LoopRunner r = LoopRunner.start("test-concurrent-stop", loop, LoopErrorHandler.logging());
        r.awaitStarted(Duration.ofSeconds(5));
        int n = 4;
        CyclicBarrier barrier = new CyclicBarrier(n);
        AtomicInteger stopped = new AtomicInteger();
        Thread[] stoppers = new Thread[n];
        for (int i = 0; i < n; i++) {
            stoppers[i] = Thread.ofPlatform().start(() -> {
                try {
                    barrier.await();
                    if (r.stop(System.nanoTime() + FAR)) {
                        stopped.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
        for (Thread t : stoppers) {
            t.join();
        }
        assertEquals(n, stopped.get());
        assertEquals(List.of("start", "close"), loop.hooks, "onClose ran exactly once");
    }
}
