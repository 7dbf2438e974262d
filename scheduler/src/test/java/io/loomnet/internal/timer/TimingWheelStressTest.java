package io.loomnet.internal.timer;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several threads, started together on a barrier, schedule and cancel timers while the timer thread fires them.
 * Every timer must end exactly one way: fired once, or cancelled by a {@code cancel()} that returned true.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimingWheelStressTest {
    private static final int THREADS = 4;
    private static final int PER_THREAD = 25_000;
    private static final int TOTAL = THREADS * PER_THREAD;

    private final AtomicIntegerArray runs = new AtomicIntegerArray(TOTAL);
    private final AtomicIntegerArray cancelWins = new AtomicIntegerArray(TOTAL);
    private final AtomicLong cancelledTrue = new AtomicLong();
    private final AtomicLong cancelledFalse = new AtomicLong();
    /** One count per timer, when it fires or when a cancel of it returns true. */
    private final CountDownLatch settled = new CountDownLatch(TOTAL);

    @Test
    void shouldAccountForEveryTimerExactlyOnceUnderConcurrentScheduleAndCancel() throws Exception {
        final TimingWheel wheel = new TimingWheel("loomnet-timer-stress", Duration.ofMillis(1));
        wheel.start();
        final int total = THREADS * PER_THREAD;
        final CyclicBarrier barrier = new CyclicBarrier(THREADS);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        final long t0 = System.nanoTime();
        for (int t = 0; t < THREADS; t++) {
            final int base = t * PER_THREAD;
            final SplittableRandom random = new SplittableRandom(1000 + t);
            final Runnable body = () -> {
                try {
                    barrier.await();
                    final List<TimingWheel.Timeout> mine = new ArrayList<>(PER_THREAD);
                    for (int i = 0; i < PER_THREAD; i++) {
                        final int id = base + i;
                        // 0..20 ms: many fire while others are still being scheduled and cancelled.
                        mine.add(wheel.schedule(Duration.ofNanos(random.nextLong(0, 20_000_000L)), () -> {
                            runs.incrementAndGet(id);
                            settled.countDown();
                        }));
                        // Cancel a random earlier timer now and then; it may have fired already.
                        if (random.nextInt(3) == 0) {
                            final int victim = random.nextInt(mine.size());
                            cancel(mine.get(victim), base + victim);
                        }
                    }
                    for (int i = 0; i < PER_THREAD; i += 2) {
                        cancel(mine.get(i), base + i);
                    }
                } catch (final Throwable e) {
                    failure.compareAndSet(null, e);
                }
            };
            // Half the schedulers are virtual threads: the lock must not pin or deadlock them.
            threads.add(t % 2 == 0 ? Thread.ofPlatform().name("stress-" + t).start(body)
                : Thread.ofVirtual().name("stress-" + t).start(body));
        }
        for (final Thread thread : threads) {
            thread.join();
        }
        assertThat("scheduler thread failed: " + failure.get(), failure.get() == null, is(true));
        assertThat(settled.await(30, TimeUnit.SECONDS), is(true));
        final long elapsedMs = (System.nanoTime() - t0) / 1_000_000;

        int fired = 0;
        int cancelled = 0;
        for (int id = 0; id < total; id++) {
            final int r = runs.get(id);
            final int c = cancelWins.get(id);
            assertThat("timer " + id + " runs", r <= 1, is(true));
            assertThat("timer " + id + " cancel wins", c <= 1, is(true));
            assertThat("timer " + id + " both ran and was cancelled, or neither", r + c, is(1));
            fired += r;
            cancelled += c;
        }
        System.out.printf("stress: %d timers from %d threads, %d fired, %d cancelled (%d cancels lost the race"
            + " or repeated), %d ms%n", total, THREADS, fired, cancelled, cancelledFalse.get(), elapsedMs);
        assertThat(fired + cancelled, is(total));
        assertThat((long) cancelled, is(cancelledTrue.get()));
        assertThat(wheel.pending(), is(0));

        assertThat(wheel.stop(System.nanoTime() + TimeUnit.SECONDS.toNanos(20)), is(true));
        assertThat(wheel.thread().isAlive(), is(false));
        // Nothing ran after the accounting above.
        int firedAfterStop = 0;
        for (int id = 0; id < total; id++) {
            firedAfterStop += runs.get(id);
        }
        assertThat(firedAfterStop, is(fired));
    }

    /**
     * Schedules race a stop: threads started on a barrier schedule timers until the wheel refuses them, while the
     * stop comes in the middle. Every timer a schedule returned must have run or been discarded once the stop has
     * returned, none may run twice, and nothing may stay pending: a timer pushed just as the stop drained the
     * inbox for the last time is settled by its own schedule.
     */
    @Test
    void shouldSettleEveryTimerWhenSchedulesRaceAStop() throws Exception {
        for (int round = 0; round < 20; round++) {
            final TimingWheel wheel = new TimingWheel("loomnet-timer-stop-race", Duration.ofMillis(1));
            wheel.start();
            final CyclicBarrier barrier = new CyclicBarrier(THREADS + 1);
            final CountDownLatch halfway = new CountDownLatch(THREADS * 2_000);
            final List<List<TimingWheel.Timeout>> returned = new ArrayList<>();
            final AtomicIntegerArray[] ranTimes = new AtomicIntegerArray[THREADS];
            final List<Thread> threads = new ArrayList<>();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int t = 0; t < THREADS; t++) {
                final List<TimingWheel.Timeout> mine = new ArrayList<>();
                returned.add(mine);
                final AtomicIntegerArray ran = new AtomicIntegerArray(1_000_000);
                ranTimes[t] = ran;
                final SplittableRandom random = new SplittableRandom(round * 31L + t);
                threads.add(Thread.ofPlatform().name("stop-race-" + t).start(() -> {
                    try {
                        barrier.await();
                        for (int i = 0; i < ran.length(); i++) {
                            final int id = i;
                            try {
                                mine.add(wheel.schedule(Duration.ofNanos(random.nextLong(0, 3_000_000L)),
                                    () -> ran.incrementAndGet(id)));
                            } catch (final IllegalStateException stopped) {
                                return;
                            }
                            halfway.countDown();
                        }
                    } catch (final Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            barrier.await();
            halfway.await();
            assertThat(wheel.stop(System.nanoTime() + TimeUnit.SECONDS.toNanos(20)), is(true));
            for (final Thread thread : threads) {
                thread.join();
            }
            assertThat("scheduler thread failed: " + failure.get(), failure.get() == null, is(true));
            for (int t = 0; t < THREADS; t++) {
                final List<TimingWheel.Timeout> mine = returned.get(t);
                for (int id = 0; id < mine.size(); id++) {
                    final TimingWheel.Timeout timeout = mine.get(id);
                    final int runs = ranTimes[t].get(id);
                    assertThat("timer " + t + "/" + id + " ran or was discarded, exactly one",
                        timeout.isExpired() != timeout.isCancelled(), is(true));
                    assertThat("timer " + t + "/" + id + " runs", runs, is(timeout.isExpired() ? 1 : 0));
                }
            }
            assertThat(wheel.pending(), is(0));
        }
    }

    private void cancel(final TimingWheel.Timeout timeout, final int id) {
        if (timeout.cancel()) {
            cancelWins.incrementAndGet(id);
            cancelledTrue.incrementAndGet();
            settled.countDown();
        } else {
            cancelledFalse.incrementAndGet();
        }
    }
}
