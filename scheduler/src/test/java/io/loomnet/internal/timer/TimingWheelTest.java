package io.loomnet.internal.timer;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * Tests of the threaded timer. Correctness waits on latches with generous bounds; only lateness is timed, and
 * only loosely, because the build machine may be loaded.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TimingWheelTest {
    private static final long TICK_NANOS = TimingWheel.DEFAULT_TICK.toNanos();

    static {
        // Surefire patches these tests into io.loomnet.scheduler, which reads only the SLF4J API; let it read
        // Logback too, for the ListAppender below. A no-op when the tests run on the class path.
        final Module self = TimingWheelTest.class.getModule();
        ModuleLayer.boot().findModule("ch.qos.logback.classic").ifPresent(self::addReads);
        ModuleLayer.boot().findModule("ch.qos.logback.core").ifPresent(self::addReads);
    }
    private static final long GENEROUS_SECONDS = 20;

    private final List<TimingWheel> wheels = new ArrayList<>();

    private TimingWheel started(final String name) {
        final TimingWheel wheel = new TimingWheel(name, TimingWheel.DEFAULT_TICK);
        wheels.add(wheel);
        wheel.start();
        return wheel;
    }

    @AfterEach
    void closeWheels() {
        wheels.forEach(TimingWheel::close);
    }

    private static void await(final CountDownLatch latch) throws InterruptedException {
        assertThat("latch " + latch, latch.await(GENEROUS_SECONDS, TimeUnit.SECONDS), is(true));
    }

    @Test
    void shouldRoundUpToTheFirstTickStartingAtOrAfterTheDelay() {
        final long ms = 1_000_000L;
        assertThat(TimingWheel.expireTick(0, 0, 10 * ms), is(0L));          // the wheel makes it tick + 1
        assertThat(TimingWheel.expireTick(0, 1, 10 * ms), is(1L));
        assertThat(TimingWheel.expireTick(0, 10 * ms, 10 * ms), is(1L));     // exactly at a tick start
        assertThat(TimingWheel.expireTick(0, 10 * ms + 1, 10 * ms), is(2L));
        assertThat(TimingWheel.expireTick(5 * ms, 10 * ms, 10 * ms), is(2L)); // due at 15 ms: tick 2 starts 20 ms
        assertThat(TimingWheel.expireTick(15 * ms, 5 * ms, 10 * ms), is(2L)); // due at 20 ms: tick 2 starts 20 ms
        assertThat(TimingWheel.expireTick(1, Long.MAX_VALUE, 10 * ms), is(HashedWheel.MAX_TICK));
        assertThat(TimingWheel.expireTick(0, Long.MAX_VALUE, 1), is(HashedWheel.MAX_TICK));
    }

    @Test
    void shouldNeverFireEarlyAndUsuallyWithinAFewTicks() throws InterruptedException {
        final TimingWheel wheel = started("loomnet-timer-early");
        final int n = 300;
        final SplittableRandom random = new SplittableRandom(7);
        final long[] delays = new long[n];
        final long[] before = new long[n];
        final long[] firedAt = new long[n];
        final CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            final int id = i;
            delays[i] = random.nextLong(0, 80_000_000L); // 0..80 ms, not tick-aligned
            before[i] = System.nanoTime();
            wheel.schedule(Duration.ofNanos(delays[i]), () -> {
                firedAt[id] = System.nanoTime();
                done.countDown();
            });
            if (i % 30 == 0) {
                LockSupport.parkNanos(3_000_000L); // spread schedule times across tick phases
            }
        }
        await(done);
        final long[] late = new long[n];
        for (int i = 0; i < n; i++) {
            assertThat("timer " + i + " fired early", firedAt[i] - before[i], greaterThanOrEqualTo(delays[i]));
            late[i] = firedAt[i] - before[i] - delays[i];
        }
        Arrays.sort(late);
        System.out.printf("lateness over %d timers at %d ms ticks: median %.1f ms, p99 %.1f ms, max %.1f ms%n", n,
            TICK_NANOS / 1_000_000, late[n / 2] / 1e6, late[n * 99 / 100] / 1e6, late[n - 1] / 1e6);
        // Loose: two ticks of rounding plus plenty for a loaded machine.
        assertThat(late[n / 2], lessThan(2 * TICK_NANOS + 500_000_000L));
        assertThat(wheel.pending(), is(0));
    }

    @Test
    void shouldRunAnAbsoluteDeadlineNeverEarlyAndAPastOneAtTheNextTick() throws InterruptedException {
        final TimingWheel wheel = started("loomnet-wheel-at");
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        final CountDownLatch future = new CountDownLatch(1);
        final long[] ranAt = new long[1];
        wheel.scheduleAt(deadline, () -> {
            ranAt[0] = System.nanoTime();
            future.countDown();
        });
        final CountDownLatch past = new CountDownLatch(1);
        wheel.scheduleAt(System.nanoTime() - TimeUnit.SECONDS.toNanos(5), past::countDown);
        await(past);
        await(future);
        assertThat("never before the deadline", ranAt[0] - deadline, greaterThanOrEqualTo(0L));
        wheel.close();
        assertThrows(IllegalStateException.class, () -> wheel.scheduleAt(System.nanoTime(), () -> { }));
    }

    @Test
    void shouldRunTasksOnTheNamedPlatformDaemonThread() throws InterruptedException {
        final TimingWheel wheel = started("loomnet-timer-1");
        final AtomicReference<Thread> ran = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);
        wheel.schedule(Duration.ofMillis(1), () -> {
            ran.set(Thread.currentThread());
            done.countDown();
        });
        await(done);
        final Thread t = ran.get();
        assertThat(t.getName(), is("loomnet-timer-1"));
        assertThat(t.isDaemon(), is(true));
        assertThat(t.isVirtual(), is(false));
        assertThat(t, is(wheel.thread()));
    }

    @Test
    void shouldLogAThrowingTaskAndKeepTheTimerThreadAlive() throws InterruptedException {
        final Logger logger = (Logger) LoggerFactory.getLogger(TimingWheel.class);
        final ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            final TimingWheel wheel = started("loomnet-timer-throws");
            final CountDownLatch after = new CountDownLatch(2);
            wheel.schedule(Duration.ZERO, () -> {
                throw new IllegalStateException("boom from a timer task");
            });
            wheel.schedule(Duration.ofMillis(5), () -> {
                throw new AssertionError("an Error from a timer task");
            });
            wheel.schedule(Duration.ofMillis(30), after::countDown);
            wheel.schedule(Duration.ofMillis(60), after::countDown);
            await(after);
            assertThat(wheel.thread().isAlive(), is(true));
            final List<ILoggingEvent> errors = appender.list.stream()
                .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR).toList();
            assertThat(errors.size(), is(2));
            assertThat(errors.get(0).getThrowableProxy().getMessage(), is("boom from a timer task"));
            assertThat(errors.get(0).getFormattedMessage(), containsString("loomnet-timer-throws"));
            assertThat(errors.get(1).getThrowableProxy().getMessage(), is("an Error from a timer task"));
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void shouldCancelOnlyWhatHasNotRun() throws InterruptedException {
        final TimingWheel wheel = started("loomnet-timer-cancel");
        final AtomicBoolean ranLong = new AtomicBoolean();
        final TimingWheel.Timeout hour = wheel.schedule(Duration.ofHours(1), () -> ranLong.set(true));
        assertThat(wheel.pending(), is(1));
        assertThat(hour.cancel(), is(true));
        assertThat(hour.cancel(), is(false));
        assertThat(hour.isCancelled(), is(true));
        assertThat(hour.isExpired(), is(false));
        assertThat(wheel.pending(), is(0));

        final CountDownLatch done = new CountDownLatch(1);
        final TimingWheel.Timeout quick = wheel.schedule(Duration.ofMillis(1), done::countDown);
        await(done);
        assertThat(quick.isExpired(), is(true));
        assertThat(quick.cancel(), is(false));
        assertThat(quick.isCancelled(), is(false));
        assertThat(ranLong.get(), is(false));
    }

    @Test
    void shouldLetATaskCancelALaterTimerOfTheSameBatch() throws InterruptedException {
        final TimingWheel wheel = started("loomnet-timer-batch");
        final long t0 = System.nanoTime();
        final AtomicBoolean victimRan = new AtomicBoolean();
        final AtomicReference<TimingWheel.Timeout> victim = new AtomicReference<>();
        final AtomicBoolean cancelResult = new AtomicBoolean();
        final CountDownLatch done = new CountDownLatch(1);
        wheel.schedule(Duration.ofMillis(30), () -> {
            cancelResult.set(victim.get().cancel());
            done.countDown();
        });
        victim.set(wheel.schedule(Duration.ofMillis(60), () -> victimRan.set(true)));
        // Stall the timer thread past both deadlines, so both are detached in one catch-up batch.
        wheel.schedule(Duration.ZERO, () -> {
            while (System.nanoTime() - t0 < 150_000_000L) {
                LockSupport.parkNanos(5_000_000L);
            }
        });
        await(done);
        final CountDownLatch later = new CountDownLatch(1);
        wheel.schedule(Duration.ofMillis(20), later::countDown);
        await(later);
        assertThat(cancelResult.get(), is(true));
        assertThat(victimRan.get(), is(false));
        assertThat(victim.get().isCancelled(), is(true));
    }

    @Test
    void shouldCatchUpAfterAStallInExpiryOrder() throws InterruptedException {
        final TimingWheel wheel = started("loomnet-timer-stall");
        final long t0 = System.nanoTime();
        final List<Integer> order = new ArrayList<>(); // only the timer thread writes
        final CountDownLatch done = new CountDownLatch(10);
        for (int i = 9; i >= 0; i--) {
            final int id = i;
            wheel.schedule(Duration.ofMillis(20 + 15L * i), () -> {
                order.add(id);
                done.countDown();
            });
        }
        wheel.schedule(Duration.ZERO, () -> {
            while (System.nanoTime() - t0 < 300_000_000L) { // a 300 ms stall: 30 ticks missed
                LockSupport.parkNanos(5_000_000L);
            }
        });
        await(done);
        assertThat(order, is(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)));
    }

    @Test
    void shouldRunAZeroDelayTimerScheduledFromATask() throws InterruptedException {
        final TimingWheel wheel = started("loomnet-timer-nested");
        final CountDownLatch done = new CountDownLatch(3);
        wheel.schedule(Duration.ofMillis(10), () -> {
            done.countDown();
            wheel.schedule(Duration.ZERO, () -> {
                done.countDown();
                wheel.schedule(Duration.ZERO, done::countDown);
            });
        });
        await(done);
    }

    @Test
    void shouldRejectANegativeDelayNamingTheValue() {
        final TimingWheel wheel = started("loomnet-timer-negative");
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> wheel.schedule(Duration.ofMillis(-7), () -> { }));
        assertThat(e.getMessage(), containsString("PT-0.007S"));
        assertThrows(IllegalArgumentException.class,
            () -> new TimingWheel("loomnet-t", Duration.ofNanos(999_999)));
        // The shared loop runner names every Loomnet thread loomnet-<role>, so a leak check finds them all.
        assertThrows(IllegalArgumentException.class, () -> new TimingWheel("timer", TimingWheel.DEFAULT_TICK));
        assertThrows(IllegalArgumentException.class, () -> new TimingWheel("loomnet-", TimingWheel.DEFAULT_TICK));
        assertThrows(NullPointerException.class, () -> wheel.schedule(null, () -> { }));
    }

    @Test
    void shouldAcceptEnormousDelays() {
        final TimingWheel wheel = started("loomnet-timer-huge");
        final TimingWheel.Timeout t = wheel.schedule(Duration.ofSeconds(Long.MAX_VALUE), () -> { });
        final TimingWheel.Timeout u = wheel.schedule(Duration.ofDays(365L * 1000), () -> { });
        assertThat(wheel.pending(), is(2));
        assertThat(t.cancel(), is(true));
        assertThat(u.cancel(), is(true));
        assertThat(wheel.pending(), is(0));
    }

    @Test
    void shouldStopIdempotentlyDiscardPendingAndRefuseNewTimers() throws InterruptedException {
        final TimingWheel wheel = started("loomnet-timer-stop");
        final List<TimingWheel.Timeout> timeouts = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            timeouts.add(wheel.schedule(Duration.ofSeconds(60 + i), () -> { }));
        }
        assertThat(wheel.pending(), is(1000));
        assertThat(wheel.stop(System.nanoTime() + TimeUnit.SECONDS.toNanos(GENEROUS_SECONDS)), is(true));
        assertThat(wheel.thread().isAlive(), is(false));
        assertThat(wheel.pending(), is(0));
        for (final TimingWheel.Timeout t : timeouts) {
            assertThat(t.isCancelled(), is(true));
            assertThat(t.cancel(), is(false));
        }
        final IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> wheel.schedule(Duration.ZERO, () -> { }));
        assertThat(e.getMessage(), containsString("loomnet-timer-stop"));
        assertThat(e.getMessage(), containsString("stopped"));
        assertThat(wheel.stop(System.nanoTime()), is(true));
        wheel.close();
        assertThrows(IllegalStateException.class, wheel::start);
    }

    @Test
    void shouldStopBeforeStartAndRefuseDoubleStart() {
        final TimingWheel never = new TimingWheel("loomnet-timer-never", TimingWheel.DEFAULT_TICK);
        never.schedule(Duration.ofMillis(1), () -> { });
        assertThat(never.stop(System.nanoTime()), is(true));
        assertThat(never.pending(), is(0));
        assertThrows(IllegalStateException.class, never::start);

        final TimingWheel twice = started("loomnet-timer-twice");
        assertThrows(IllegalStateException.class, twice::start);
    }

    @Test
    void shouldFireTimersScheduledBeforeStart() throws InterruptedException {
        final TimingWheel wheel = new TimingWheel("loomnet-timer-prestart", Duration.ofMillis(5));
        wheels.add(wheel);
        final CountDownLatch done = new CountDownLatch(1);
        wheel.schedule(Duration.ofMillis(1), done::countDown);
        wheel.start();
        await(done);
    }

    @Test
    void shouldStopWithoutInterruptingAndReportAStuckThread() throws InterruptedException {
        final TimingWheel wheel = started("loomnet-timer-stuck");
        final CountDownLatch inTask = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean interrupted = new AtomicBoolean();
        final AtomicBoolean afterRan = new AtomicBoolean();
        wheel.schedule(Duration.ZERO, () -> {
            inTask.countDown();
            try {
                release.await();
            } catch (final InterruptedException e) {
                interrupted.set(true);
            }
            interrupted.compareAndSet(false, Thread.currentThread().isInterrupted());
        });
        wheel.schedule(Duration.ofSeconds(30), () -> afterRan.set(true));
        await(inTask);
        assertThat(wheel.stop(System.nanoTime() + 100_000_000L), is(false));
        assertThat(wheel.thread().isAlive(), is(true));
        assertThat(wheel.pending(), is(0));
        release.countDown();
        assertThat(wheel.stop(System.nanoTime() + TimeUnit.SECONDS.toNanos(GENEROUS_SECONDS)), is(true));
        assertThat(interrupted.get(), is(false));
        assertThat(afterRan.get(), is(false));
    }

    @Test
    void shouldNotWaitForItselfWhenStoppedFromATask() throws InterruptedException {
        final TimingWheel wheel = started("loomnet-timer-self");
        final AtomicReference<Boolean> result = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);
        wheel.schedule(Duration.ZERO, () -> {
            result.set(wheel.stop(System.nanoTime() + TimeUnit.SECONDS.toNanos(GENEROUS_SECONDS)));
            done.countDown();
        });
        await(done);
        assertThat(result.get(), is(false));
        assertThat(wheel.stop(System.nanoTime() + TimeUnit.SECONDS.toNanos(GENEROUS_SECONDS)), is(true));
    }
}
