package io.loomnet.scope;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one {@link Loop} on one named platform thread: the single runner behind every background loop of Loomnet
 * (timer, stuck-handler monitor, pooled workers, ZeroMQ machines and links).
 *
 * <p><b>Naming.</b> The thread is called {@value #THREAD_PREFIX} followed by the loop's role, for example
 * {@code loomnet-zmq-proxy-gateway-3} or {@code loomnet-1-link-2}, so a leak check can find every thread Loomnet
 * started by its prefix. Loop threads are daemon platform threads: a loop that owns ZeroMQ sockets must not run on
 * a virtual thread (JeroMQ's poll would pin its carrier).
 *
 * <p><b>Stopping.</b> {@link #stop(long)} sets the stop flag, calls {@link Loop#wake()} and joins the thread until
 * the deadline; it never interrupts (JeroMQ is not interrupt-safe). The flag is checked before every turn, so a
 * loop stops after the turn that is running. It is a {@link Stopper}, so it can be registered in a {@link Scope}
 * stage; it is idempotent and may be called from any thread.
 *
 * <p><b>Errors.</b> Every exception from a hook goes to the one {@link LoopErrorHandler} given at start. After a
 * failed turn the runner backs off (1 ms, doubling up to 1 s while turns keep failing, reset by a turn that
 * succeeds) and goes on; an {@link Error} is reported and ends the loop. {@link Loop#onClose()} always runs.
 *
 * <p><b>Thread safety.</b> All methods may be called from any thread.
 */
public final class LoopRunner implements Stopper {
    /** Prefix of every loop thread's name. */
    public static final String THREAD_PREFIX = "loomnet-";

    private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Loop loop;
    private final LoopErrorHandler errors;
    private final Thread thread;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private volatile boolean stopRequested;

    private LoopRunner(String role, Loop loop, LoopErrorHandler errors) {
        this.loop = loop;
        this.errors = errors;
        this.thread = Thread.ofPlatform().name(THREAD_PREFIX + role).daemon(true).unstarted(this::run);
    }

    /**
     * Starts a loop on a new thread named {@value #THREAD_PREFIX}{@code role}. Returns at once; use
     * {@link #awaitStarted(Duration)} to wait for {@link Loop#onStart()}.
     *
     * @param role the loop's role, which becomes the rest of its thread's name; not blank
     * @param loop the work
     * @param errors where failures go
     * @return the running runner
     */
    public static LoopRunner start(String role, Loop loop, LoopErrorHandler errors) {
        Objects.requireNonNull(role, "role");
        if (role.isBlank()) {
            throw new IllegalArgumentException("loop role must not be blank");
        }
        LoopRunner r = new LoopRunner(role, Objects.requireNonNull(loop, "loop"),
                Objects.requireNonNull(errors, "errors"));
        r.thread.start();
        return r;
    }

    /** @return the loop thread's name */
    public String threadName() {
        return thread.getName();
    }

    /** @return the loop thread */
    public Thread thread() {
        return thread;
    }

    /** @return {@code true} once {@link #stop(long)} or {@link #requestStop()} has been called */
    public boolean isStopRequested() {
        return stopRequested;
    }

    /** @return {@code true} while the loop thread is alive */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /**
     * Waits until {@link Loop#onStart()} has returned.
     *
     * @param timeout how long to wait
     * @throws LoopStartException naming the thread and the timeout if the start failed or took too long; the
     *         loop is then asked to stop (its {@code onClose} runs on its thread)
     */
    public void awaitStarted(Duration timeout) {
        try {
            started.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            requestStop();
            throw new LoopStartException("loop " + threadName() + " did not start within " + timeout.toMillis()
                    + " ms", e);
        } catch (ExecutionException e) {
            throw new LoopStartException("loop " + threadName() + " failed to start: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requestStop();
            throw new LoopStartException("interrupted while waiting for loop " + threadName() + " to start", e);
        }
    }

    /** Asks the loop to stop after its current turn and wakes it; does not wait. Idempotent. */
    public void requestStop() {
        stopRequested = true;
        try {
            loop.wake();
        } catch (RuntimeException e) {
            errors.onError(threadName(), e);
        }
        LockSupport.unpark(thread); // ends a failure back-off early
    }

    /**
     * Stops the loop: {@link #requestStop()}, then joins its thread until the deadline. Called on the loop thread
     * itself, it only requests the stop and returns {@code true}.
     *
     * @param deadlineNanos a {@link System#nanoTime()} deadline
     * @return {@code true} if the loop thread has ended (or will end after this turn, when called from it)
     * @throws InterruptedException if the caller is interrupted while joining
     */
    @Override
    public boolean stop(long deadlineNanos) throws InterruptedException {
        requestStop();
        return Thread.currentThread() == thread || awaitEnd(deadlineNanos);
    }

    /**
     * Waits, without asking it to stop, for a loop that ends by itself (its turn returned {@code false}), for
     * example one that is finishing a goodbye before it closes.
     *
     * @param deadlineNanos a {@link System#nanoTime()} deadline
     * @return {@code true} if the loop thread has ended
     * @throws InterruptedException if the caller is interrupted while waiting
     */
    public boolean awaitEnd(long deadlineNanos) throws InterruptedException {
        if (Thread.currentThread() == thread) {
            return false;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            thread.join(Duration.ofNanos(left));
        }
        return !thread.isAlive();
    }

    private void run() {
        boolean ok = false;
        try {
            loop.onStart();
            ok = true;
            started.complete(null);
        } catch (Throwable t) {
            started.completeExceptionally(t);
        }
        try {
            if (ok) {
                turns();
            }
        } finally {
            try {
                loop.onClose();
            } catch (Throwable t) {
                errors.onError(threadName(), t);
            }
        }
    }

    private void turns() {
        long backoff = 0;
        while (!stopRequested) {
            try {
                if (!loop.doWork()) {
                    return;
                }
                backoff = 0;
            } catch (Error e) {
                errors.onError(threadName(), e);
                return;
            } catch (Throwable t) {
                errors.onError(threadName(), t);
                backoff = backoff == 0 ? MIN_BACKOFF_NANOS : Math.min(2 * backoff, MAX_BACKOFF_NANOS);
                if (!stopRequested) {
                    LockSupport.parkNanos(this, backoff);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "LoopRunner[" + threadName() + (stopRequested ? ", stopping" : "") + "]";
    }
}
