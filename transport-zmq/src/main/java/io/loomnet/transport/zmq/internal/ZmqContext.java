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
        c.setUncaughtExceptionHandler((t, e) -> {
            jeromqErrors.increment();
            errors.onError(t.getName(), e);
        });
        c.setNotificationExceptionHandler((t, e) -> {
            jeromqErrors.increment();
            errors.onError(t.getName(), e);
        });
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

    /** @return exceptions JeroMQ reported on this context's threads (each also went to the error handler) */
    public long jeromqErrors() {
        return jeromqErrors.sum();
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
