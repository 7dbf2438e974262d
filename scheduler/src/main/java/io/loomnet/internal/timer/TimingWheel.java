package io.loomnet.internal.timer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.loomnet.scope.Loop;
import io.loomnet.scope.LoopErrorHandler;
import io.loomnet.scope.LoopRunner;

/**
 * A {@link HashedWheel} driven by one platform daemon thread, the timer thread (a {@link Loop} on the shared
 * {@link LoopRunner}: named, stopped by a flag and an unpark, failures to one handler), that wakes every tick, reads
 * {@link System#nanoTime()} and advances the wheel to the current tick, catching up after a stall as Skynet's
 * {@code skynet_updatetime} does.
 *
 * <p>Threading: {@link #schedule}, {@link #pending}, {@link #stop}, {@link #close} and every {@link Timeout}
 * method are threadsafe and may be called from any thread, virtual threads included. Scheduling and cancelling
 * take no lock (Netty's {@code HashedWheelTimer} design): {@code schedule} pushes the new timer on a lock-free
 * inbox, {@code cancel} decides by one CAS on the timer's state and pushes it on a second inbox so its memory is
 * released; the timer thread drains both into the wheel at every tick, then shifts the wheel and runs the due
 * tasks in expiry order. The wheel itself is the timer thread's, guarded by a {@link ReentrantLock} that only
 * {@link #stop} also takes (to discard what is left), so the lock is never contended by callers. Actions before
 * {@link #schedule} happen-before the task runs.
 *
 * <p>Tasks must be short and non-blocking (complete a future, enqueue a message): they all share the timer
 * thread, and a slow one delays every other timer. A task that throws is logged through SLF4J and the timer
 * thread goes on.
 *
 * <p>Rounding: tick {@code k} starts {@code k * tick} after construction. A timer scheduled {@code delay} from
 * now is due at the first tick whose start is at or after {@code now + delay}, so it never fires early, and
 * normally runs within one or two ticks after its delay.
 *
 * <p>Lifecycle: construct, {@link #start()} once, {@link #stop(long)} or {@link #close()}. Timers may be
 * scheduled before {@link #start()}; they fire once the thread runs. Stopping never interrupts the timer thread.
 */
public final class TimingWheel implements AutoCloseable {
    /** Skynet's tick: 10 ms. */
    public static final Duration DEFAULT_TICK = Duration.ofMillis(10);
    /** The shortest tick accepted; shorter ticks would keep the timer thread busy for nothing. */
    public static final Duration MIN_TICK = Duration.ofMillis(1);
    /** How long {@link #close()} waits for the timer thread to end. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(TimingWheel.class);
    /** Above this many tasks in one batch the batch list is dropped afterwards rather than kept for reuse. */
    private static final int RETAINED_BATCH_CAPACITY = 1024;

    private final String threadName;
    private final long tickNanos;
    private final long originNanos;
    private final LoopErrorHandler errors;
    /** The timer thread's runner, set once by {@link #start()} (under {@link #lifecycle}). */
    private volatile LoopRunner runner;
    /** The timer thread's while it runs; {@link #stop} takes it to discard what is left. Never taken by callers. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private final HashedWheel wheel = new HashedWheel();
    /** Timers scheduled and not yet in the wheel: an intrusive Treiber stack through {@link WheelTimeout#nextAdded}. */
    private volatile WheelTimeout added;
    /** Timers cancelled while possibly in the wheel, through {@link WheelTimeout#nextCancelled}. */
    private volatile WheelTimeout cancelled;
    /** Timers neither run, nor cancelled, nor discarded: one increment and one decrement per timer. */
    private final java.util.concurrent.atomic.LongAdder pendingCount = new java.util.concurrent.atomic.LongAdder();
    private final ReentrantLock lifecycle = new ReentrantLock();
    /** Guarded by {@link #lifecycle}. */
    private boolean started;
    /** Once true, {@link #schedule} throws and the wheel stays empty. */
    private volatile boolean stopped;

    /**
     * Creates a timer with {@link #DEFAULT_TICK} whose thread is not yet started. Call {@link #start()} to start
     * it. The timer may then be shared between threads.
     *
     * @param threadName the timer thread's name, for example {@code "loomnet-1-timer"} (node 1)
     */
    public TimingWheel(final String threadName) {
        this(threadName, DEFAULT_TICK);
    }

    /**
     * Creates a timer whose thread, once started, reports failures of its own loop to the handler given at start
     * ({@link LoopErrorHandler#logging()} here).
     *
     * @param threadName the timer thread's name, starting with {@value LoopRunner#THREAD_PREFIX}
     * @param tick       the tick length, at least {@link #MIN_TICK}
     * @throws IllegalArgumentException if {@code tick} is shorter than {@link #MIN_TICK}, or the name does not
     *         start with {@value LoopRunner#THREAD_PREFIX}
     */
    public TimingWheel(final String threadName, final Duration tick) {
        this(threadName, tick, LoopErrorHandler.logging());
    }

    /**
     * Creates a timer whose thread is not yet started. Call {@link #start()} to start it. Tick 0 starts now. The
     * timer may then be shared between threads.
     *
     * @param threadName the timer thread's name, for example {@code "loomnet-1-timer"} (node 1): the shared
     *                   {@link LoopRunner} runs it, so it starts with {@value LoopRunner#THREAD_PREFIX}
     * @param tick       the tick length, at least {@link #MIN_TICK}
     * @param errors     where failures of the timer loop itself go (a failing task is logged here and the timer
     *                   goes on; only a defect of this class reaches the handler)
     * @throws IllegalArgumentException if {@code tick} is shorter than {@link #MIN_TICK}, or the name does not
     *         start with {@value LoopRunner#THREAD_PREFIX}
     */
    public TimingWheel(final String threadName, final Duration tick, final LoopErrorHandler errors) {
        Objects.requireNonNull(threadName, "threadName");
        Objects.requireNonNull(tick, "tick");
        this.errors = Objects.requireNonNull(errors, "errors");
        if (tick.compareTo(MIN_TICK) < 0) {
            throw new IllegalArgumentException("tick must be at least " + MIN_TICK + ", was " + tick);
        }
        if (!threadName.startsWith(LoopRunner.THREAD_PREFIX) || threadName.equals(LoopRunner.THREAD_PREFIX)) {
            throw new IllegalArgumentException("timer thread name must start with '" + LoopRunner.THREAD_PREFIX
                + "' and name a role, was '" + threadName + "'");
        }
        this.threadName = threadName;
        this.tickNanos = tick.toNanos();
        this.originNanos = System.nanoTime();
    }

    /**
     * Starts the timer thread. Threadsafe; call once.
     *
     * @throws IllegalStateException if already started, or stopped
     */
    public void start() {
        lifecycle.lock();
        try {
            if (stopped) {
                throw new IllegalStateException("timer '" + threadName + "' is stopped and cannot be started");
            }
            if (started) {
                throw new IllegalStateException("timer '" + threadName + "' is already started");
            }
            started = true;
            runner = LoopRunner.start(threadName.substring(LoopRunner.THREAD_PREFIX.length()), new TimerLoop(),
                errors);
        } finally {
            lifecycle.unlock();
        }
    }

    /**
     * Schedules {@code task} to run on the timer thread once {@code delay} has passed; never earlier, normally
     * within one or two ticks after. A zero delay runs it at the next tick. Threadsafe, O(1), lock-free.
     *
     * @param delay how long to wait, zero or more; delays too long to represent saturate to "never"
     * @param task  short, non-blocking work to run on the timer thread
     * @return a handle to cancel the timer or ask whether it ran
     * @throws IllegalArgumentException if {@code delay} is negative
     * @throws IllegalStateException    if the timer has been stopped
     */
    public Timeout schedule(final Duration delay, final Runnable task) {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(task, "task");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        final long delayNanos = saturatedNanos(delay);
        final long elapsedNanos = System.nanoTime() - originNanos;
        return add(expireTick(elapsedNanos, delayNanos, tickNanos), task);
    }

    /**
     * Schedules {@code task} to run on the timer thread at {@code deadlineNanos}, a {@link System#nanoTime()}
     * value: at the first tick that starts at or after it, never earlier. A deadline already past runs at the
     * next tick. Periodic timers use it to plan each run from the previous <em>planned</em> time rather than from
     * when the previous run happened, so lateness does not accumulate. Threadsafe, O(1), lock-free.
     *
     * @param deadlineNanos when the task is due, on the {@link System#nanoTime()} clock
     * @param task          short, non-blocking work to run on the timer thread
     * @return a handle to cancel the timer or ask whether it ran
     * @throws IllegalStateException if the timer has been stopped
     */
    public Timeout scheduleAt(final long deadlineNanos, final Runnable task) {
        Objects.requireNonNull(task, "task");
        final long elapsedNanos = Math.max(0, deadlineNanos - originNanos);
        return add(expireTick(elapsedNanos, 0, tickNanos), task);
    }

    private Timeout add(final long expireTick, final Runnable task) {
        if (stopped) {
            throw stoppedFor(task);
        }
        final WheelTimeout timeout = new WheelTimeout(this, task, expireTick);
        pendingCount.increment();
        WheelTimeout head;
        do {
            head = added;
            timeout.nextAdded = head;
        } while (!ADDED.compareAndSet(this, head, timeout));
        // A stop may have drained the inbox for the last time between the check above and the push: then this
        // timer would never run nor be discarded. Settle it here: refused, unless the timer thread already ran it.
        if (stopped && (timeout.discard() || timeout.isCancelled())) {
            throw stoppedFor(task);
        }
        return timeout;
    }

    private IllegalStateException stoppedFor(final Runnable task) {
        return new IllegalStateException("timer '" + threadName + "' is stopped; cannot schedule " + task);
    }

    /**
     * Moves the inboxes into the wheel: new timers (oldest first, so ties keep the order they were scheduled in by
     * one thread) unless cancelled meanwhile, then the cancelled ones out of it. Under {@link #lock}.
     */
    private void drainInboxes() {
        WheelTimeout newest = (WheelTimeout) ADDED.getAndSet(this, (WheelTimeout) null);
        WheelTimeout oldest = null;
        while (newest != null) { // reverse the stack into scheduling order
            final WheelTimeout next = newest.nextAdded;
            newest.nextAdded = oldest;
            oldest = newest;
            newest = next;
        }
        for (WheelTimeout t = oldest; t != null; ) {
            final WheelTimeout next = t.nextAdded;
            t.nextAdded = null;
            if (!t.isCancelled()) {
                t.node = wheel.add(t.expireTick, t);
            }
            t = next;
        }
        for (WheelTimeout t = (WheelTimeout) CANCELLED_INBOX.getAndSet(this, (WheelTimeout) null); t != null; ) {
            final WheelTimeout next = t.nextCancelled;
            t.nextCancelled = null;
            final TimerNode node = t.node;
            if (node != null) {
                wheel.cancel(node);
                t.node = null;
            }
            t = next;
        }
    }

    /**
     * The number of timers waiting: scheduled, not yet run, not cancelled or discarded. Threadsafe and lock-free;
     * a snapshot that concurrent calls may change at once.
     *
     * @return the pending count
     */
    public int pending() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, pendingCount.sum()));
    }

    /**
     * The tick length. Threadsafe (immutable).
     *
     * @return the tick given at construction
     */
    public Duration tick() {
        return Duration.ofNanos(tickNanos);
    }

    /**
     * Stops the timer: refuses further {@link #schedule} calls, tells the timer thread to end (a flag and an
     * unpark; never an interrupt), waits for it until {@code deadlineNanos}, and discards the pending timers,
     * which never run and report {@link Timeout#isCancelled()}. A batch of due tasks the thread has already
     * detached still runs before it ends. Threadsafe and idempotent: a later call waits again with its own
     * deadline. Called from a timer task, it cannot wait for its own thread and returns {@code false}.
     *
     * @param deadlineNanos a {@link System#nanoTime()} value after which to stop waiting
     * @return {@code true} if the timer thread has ended (or was never started)
     */
    public boolean stop(final long deadlineNanos) {
        stopped = true;
        final boolean ended = awaitThreadEnd(deadlineNanos);
        lock.lock();
        try {
            drainInboxes();
            final int discarded = wheel.clear(TimingWheel::markDiscarded);
            if (discarded > 0) {
                LOG.debug("timer '{}' stopped with {} pending timers discarded", threadName, discarded);
            }
        } finally {
            lock.unlock();
        }
        return ended;
    }

    /**
     * {@link #stop(long)} with a deadline {@link #CLOSE_TIMEOUT} from now; logs a warning if the timer thread is
     * still running at the deadline (a task is stuck). Threadsafe and idempotent.
     */
    @Override
    public void close() {
        if (!stop(System.nanoTime() + CLOSE_TIMEOUT.toNanos())) {
            LOG.warn("timer thread '{}' did not end within {}; a timer task is probably blocked", threadName,
                CLOSE_TIMEOUT);
        }
    }

    @Override
    public String toString() {
        return "TimingWheel[" + threadName + ", tick=" + tick() + "]";
    }

    /** Test support: the timer thread ({@code null} before {@link #start()}). */
    Thread thread() {
        final LoopRunner r = runner;
        return r == null ? null : r.thread();
    }

    /**
     * The first tick whose start ({@code tick * tickNanos} after the origin) is at or after
     * {@code elapsedNanos + delayNanos}, capped at {@link HashedWheel#MAX_TICK}.
     */
    static long expireTick(final long elapsedNanos, final long delayNanos, final long tickNanos) {
        final long due = elapsedNanos + delayNanos;
        if (due < 0) {
            return HashedWheel.MAX_TICK;
        }
        return Math.min(Math.ceilDiv(due, tickNanos), HashedWheel.MAX_TICK);
    }

    private static long saturatedNanos(final Duration delay) {
        try {
            return delay.toNanos();
        } catch (final ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    private static void markDiscarded(final Runnable task) {
        final WheelTimeout t = (WheelTimeout) task;
        t.discard();
        t.node = null;
    }

    private static final VarHandle ADDED;
    private static final VarHandle CANCELLED_INBOX;

    static {
        try {
            final MethodHandles.Lookup l = MethodHandles.lookup();
            ADDED = l.findVarHandle(TimingWheel.class, "added", WheelTimeout.class);
            CANCELLED_INBOX = l.findVarHandle(TimingWheel.class, "cancelled", WheelTimeout.class);
        } catch (final ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Asks the timer loop to stop and waits for its thread until the deadline; never interrupts. */
    private boolean awaitThreadEnd(final long deadlineNanos) {
        final LoopRunner r;
        lifecycle.lock();
        try {
            r = runner;
        } finally {
            lifecycle.unlock();
        }
        if (r == null) {
            return true;
        }
        if (Thread.currentThread() == r.thread()) {
            r.requestStop(); // from a timer task: the thread ends after this turn, but cannot wait for itself
            return false;
        }
        try {
            return r.stop(deadlineNanos);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return !r.isRunning();
        }
    }

    /**
     * The timer thread's turns: each wakes at the next tick's start, drains the inboxes, advances the wheel to the
     * current tick (through every missed one) and runs the due tasks outside the lock.
     */
    private final class TimerLoop implements Loop {
        private ArrayList<Runnable> due = new ArrayList<>();
        private final Consumer<Runnable> sink = task -> due.add(task);
        private long reached;

        @Override
        public boolean doWork() {
            final long now = System.nanoTime();
            final long target = Math.min((now - originNanos) / tickNanos, HashedWheel.MAX_TICK);
            if (target > reached) {
                try {
                    lock.lock();
                    try {
                        drainInboxes();
                        wheel.advance(target, sink);
                    } finally {
                        lock.unlock();
                    }
                    reached = target;
                    final int n = due.size();
                    for (int i = 0; i < n; i++) {
                        runTask(due.get(i));
                    }
                } finally {
                    if (due.size() > RETAINED_BATCH_CAPACITY) {
                        due = new ArrayList<>();
                    } else {
                        due.clear();
                    }
                }
            }
            final long sleep = originNanos + (reached + 1) * tickNanos - System.nanoTime();
            final LoopRunner r = runner;
            if (sleep > 0 && (r == null || !r.isStopRequested())) {
                LockSupport.parkNanos(this, sleep);
            }
            return true;
        }

        @Override
        public void wake() {
            final LoopRunner r = runner;
            if (r != null) {
                LockSupport.unpark(r.thread());
            }
        }

        @Override
        public void onClose() {
            LOG.debug("timer thread '{}' ended", threadName);
        }
    }

    private void runTask(final Runnable timeout) {
        try {
            timeout.run();
        } catch (final Throwable t) {
            LOG.error("timer task {} on thread '{}' threw; the timer goes on", timeout, threadName, t);
        }
    }

    /** Hands a cancelled timer to the timer thread, which unlinks it from the wheel at its next tick. */
    private void unlink(final WheelTimeout timeout) {
        pendingCount.decrement();
        WheelTimeout head;
        do {
            head = cancelled;
            timeout.nextCancelled = head;
        } while (!CANCELLED_INBOX.compareAndSet(this, head, timeout));
    }

    /**
     * A handle on one scheduled task. All methods are threadsafe and lock-free.
     * Exactly one of these happens to every timer: it runs ({@link #isExpired()}), or it is cancelled by a
     * {@link #cancel()} that returns {@code true}, or it is discarded by {@link TimingWheel#stop(long)}.
     */
    public interface Timeout {
        /**
         * Prevents the task from running, if it has not started yet, and releases the timer's memory at once.
         *
         * @return {@code true} only if this call prevented the run; {@code false} if the task has run or is
         *         running, or the timer was already cancelled or discarded
         */
        boolean cancel();

        /**
         * Whether the timer was cancelled or discarded before its task ran.
         *
         * @return {@code true} once cancelled
         */
        boolean isCancelled();

        /**
         * Whether the task has started (or finished) running on the timer thread.
         *
         * @return {@code true} once the timer thread has claimed the task to run it
         */
        boolean isExpired();
    }

    /**
     * The timer thread runs this object; its state decides by CAS whether the task runs or a cancel wins.
     */
    private static final class WheelTimeout implements Timeout, Runnable {
        private static final int PENDING = 0;
        private static final int EXPIRED = 1;
        private static final int CANCELLED = 2;
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(WheelTimeout.class, "state", int.class);
            } catch (final ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final TimingWheel owner;
        private final Runnable task;
        final long expireTick;
        /** The wheel's node (owner's lock: the timer thread, or stop); {@code null} until added, once unlinked. */
        TimerNode node;
        /** Links in the owner's inboxes (written before the publishing CAS, read by the draining thread). */
        WheelTimeout nextAdded;
        WheelTimeout nextCancelled;
        @SuppressWarnings("unused") // accessed through STATE
        private volatile int state;

        WheelTimeout(final TimingWheel owner, final Runnable task, final long expireTick) {
            this.owner = owner;
            this.task = task;
            this.expireTick = expireTick;
        }

        @Override
        public boolean cancel() {
            // The CAS decides against run(); the unlink only frees memory and may find the node already detached.
            if (!STATE.compareAndSet(this, PENDING, CANCELLED)) {
                return false;
            }
            owner.unlink(this);
            return true;
        }

        @Override
        public boolean isCancelled() {
            return (int) STATE.getVolatile(this) == CANCELLED;
        }

        @Override
        public boolean isExpired() {
            return (int) STATE.getVolatile(this) == EXPIRED;
        }

        /** Runs on the timer thread, outside the lock. */
        @Override
        public void run() {
            if (STATE.compareAndSet(this, PENDING, EXPIRED)) {
                owner.pendingCount.decrement();
                task.run();
            }
        }

        /**
         * Cancels a timer the stopped wheel will never run: by {@link TimingWheel#stop} under the owner's lock, or
         * by a schedule that raced the stop (then the node is not in the wheel).
         *
         * @return {@code true} if this call settled it
         */
        boolean discard() {
            if (STATE.compareAndSet(this, PENDING, CANCELLED)) {
                owner.pendingCount.decrement();
                return true;
            }
            return false;
        }

        @Override
        public String toString() {
            final int s = (int) STATE.getVolatile(this);
            return "Timeout[" + (s == PENDING ? "pending" : s == EXPIRED ? "expired" : "cancelled") + ", " + task + "]";
        }
    }
}
