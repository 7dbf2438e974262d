package io.loomnet.transport.zmq.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

import io.loomnet.scope.LoopErrorHandler;

/**
 * One JeroMQ context owned by one Loomnet component (a machine, a cluster's links): one I/O thread, linger 0,
 * threads named {@code loomnet-zmq-<role>-iothread-N} and {@code loomnet-zmq-<role>-reaper-N} so leak checks see
 * them, and every exception JeroMQ reports on its own threads counted and handed to one {@link LoopErrorHandler}.
 *
 * <p><b>Why one context per component.</b> JeroMQ 0.6.0's I/O and reaper threads have races of their own (see
 * {@code docs/decisions/0008-one-zeromq-context-per-machine.md}); a context per machine keeps what one machine's
 * teardown does inside that machine's threads, and {@link #close(long)} can then end them for good.
 *
 * <p><b>Thread safety.</b> {@link #context()} may be used from any thread to create sockets (JeroMQ's
 * {@code createSocket} is thread-safe); each socket is then owned by one thread. {@link #close(long)} is
 * idempotent and must run after every owner has closed its sockets; it waits for JeroMQ's term on a helper
 * thread, so a socket leaked by a stuck owner cannot hold the caller past its deadline.
 */
public final class ZmqContext {
    /** Prefix of the threads JeroMQ starts for a context made here. */
    public static final String THREAD_PREFIX = "loomnet-zmq-";

    private static final Logger LOG = LoggerFactory.getLogger(ZmqContext.class);
    private static final AtomicLong IDS = new AtomicLong();

    private final String role;
    private final ZContext ctx;
    private final LongAdder jeromqErrors = new LongAdder();
    private final LongAdder teardownErrors = new LongAdder();
    private volatile boolean tearingDown;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Thread closer;

    /**
     * @param role names the context's threads ({@code loomnet-zmq-<role>-…}); made unique with a sequence number
     * @param errors receives every exception JeroMQ reports from its threads
     */
    public ZmqContext(String role, LoopErrorHandler errors) {
        Objects.requireNonNull(errors, "errors");
        this.role = Objects.requireNonNull(role, "role") + "-" + IDS.incrementAndGet();
        ZContext c = new ZContext(1);
        // Every setting below must happen before the context's first socket exists, or JeroMQ throws.
        c.setLinger(0);
        c.setUncaughtExceptionHandler((t, e) -> failed(t, e, errors));
        c.setNotificationExceptionHandler((t, e) -> failed(t, e, errors));
        String prefix = THREAD_PREFIX + this.role + "-";
        c.setThreadFactor((runnable, name) -> {
            Thread t = Thread.ofPlatform().daemon(true).name(prefix + name).unstarted(runnable);
            t.setUncaughtExceptionHandler(c.getUncaughtExceptionHandler());
            return t;
        });
        this.ctx = c;
    }

    /** @return the JeroMQ context, for creating sockets; never close it directly */
    public ZContext context() {
        return ctx;
    }

    /** @return the unique role of this context, which its thread names carry */
    public String role() {
        return role;
    }

    /**
     * A JeroMQ thread failed. While the context serves, that is a failure of this component: counted and handed to
     * the error handler. Once its teardown has begun ({@link #beginTeardown()}), it is JeroMQ 0.6.0's teardown race
     * (an I/O thread sending a term-ack to a socket whose mailbox is already closed; ADR 0008): nothing but this
     * component uses the context, every Loomnet socket of it is closed or closing, and the context still terminates,
     * so it is counted in {@link #teardownErrors()} and logged as a warning instead.
     */
    private void failed(Thread t, Throwable e, LoopErrorHandler errors) {
        if (tearingDown) {
            teardownErrors.increment();
            LOG.warn("JeroMQ thread {} failed while context {} was being torn down (JeroMQ 0.6.0 teardown race, "
                    + "see docs/decisions/0008; the context is private to it and still terminates): {}", t.getName(),
                    role, e.toString());
            LOG.debug("teardown failure of {}", t.getName(), e);
            return;
        }
        jeromqErrors.increment();
        errors.onError(t.getName(), e);
    }

    /**
     * Marks the start of this context's teardown: its owner is about to close its sockets. Any thread; idempotent;
     * {@link #close(long)} implies it.
     */
    public void beginTeardown() {
        tearingDown = true;
    }

    /** @return exceptions JeroMQ reported on this context's threads while it served (each went to the handler) */
    public long jeromqErrors() {
        return jeromqErrors.sum();
    }

    /** @return exceptions JeroMQ reported on this context's threads during its teardown (logged, not handled) */
    public long teardownErrors() {
        return teardownErrors.sum();
    }

    /** @return sockets of this context not closed yet */
    public int openSockets() {
        return ctx.getSockets().size();
    }

    /**
     * Terminates the context: JeroMQ's I/O and reaper threads end once every socket is closed. Idempotent; a
     * second call waits for the first close's thread until the deadline.
     *
     * @param deadlineNanos a {@link System#nanoTime()} deadline
     * @return {@code true} if the context terminated by the deadline
     * @throws InterruptedException if the caller is interrupted while waiting
     */
    public boolean close(long deadlineNanos) throws InterruptedException {
        tearingDown = true;
        if (closed.compareAndSet(false, true)) {
            int open = ctx.getSockets().size();
            if (open > 0) {
                LOG.warn("closing ZeroMQ context {} with {} socket(s) still open; their owners will see ETERM", role,
                        open);
            }
            closer = Thread.ofPlatform().daemon(true).name(THREAD_PREFIX + role + "-close").start(ctx::close);
        }
        Thread t = closer;
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            t.join(Duration.ofNanos(left));
        }
        if (t.isAlive()) {
            LOG.error("ZeroMQ context {} did not terminate within the deadline ({} ms over); JeroMQ threads:{}", role,
                    TimeUnit.NANOSECONDS.toMillis(Math.max(0, System.nanoTime() - deadlineNanos)), stacks());
            return false;
        }
        return true;
    }

    private String stacks() {
        StringBuilder sb = new StringBuilder();
        String prefix = THREAD_PREFIX + role + "-";
        for (var e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey().getName().startsWith(prefix)) {
                sb.append("\n  ").append(e.getKey().getName()).append(" (").append(e.getKey().getState()).append(')');
                for (StackTraceElement el : e.getValue()) {
                    sb.append("\n\tat ").append(el);
                }
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "ZmqContext[" + role + "]";
    }
}
