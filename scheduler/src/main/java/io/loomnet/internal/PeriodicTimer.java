package io.loomnet.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.loomnet.Cancellable;
import io.loomnet.internal.timer.TimingWheel;

/**
 * One {@code ctx.every(period, payload)}: a fixed-rate timer on the node's wheel that re-arms itself from its
 * <em>planned</em> time, so the n-th tick is due {@code n * period} after it was set, however late earlier ones
 * ran (no drift accumulates; after a stall the missed ticks come one per wheel tick until it has caught up).
 *
 * <p>Each run puts a {@link io.loomnet.MessageType#TIMER} message carrying this object into the service's
 * mailbox; the cell unwraps it to the user's payload when it handles it, and drops it instead if the timer
 * was cancelled meanwhile. So once {@link #cancel()} has returned, the service sees no further tick, not even one
 * already queued.
 *
 * <p>Threading: {@link #cancel()} from any thread; {@link #run()} on the timer thread only. Lock-free: the
 * cancelled flag is one CAS; a run that re-arms after a concurrent cancel sees the flag and cancels what it armed.
 */
final class PeriodicTimer implements Cancellable, Runnable {
    private static final VarHandle CANCELLED;

    static {
        try {
            CANCELLED = MethodHandles.lookup().findVarHandle(PeriodicTimer.class, "cancelled", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Longest period used: about 73 years, so planned times never overflow the nanoTime clock. */
    static final long MAX_PERIOD_NANOS = Long.MAX_VALUE / 4;

    private final ServiceCell cell;
    private final long periodNanos;
    final Object payload;
    @SuppressWarnings("unused") // through CANCELLED
    private volatile boolean cancelled;
    /** The wheel entry for the next run. */
    private volatile TimingWheel.Timeout next;
    /** When the next run is due (nanoTime); written before each arm, read by the run it armed. */
    private long planned;

    PeriodicTimer(ServiceCell cell, long periodNanos, Object payload) {
        this.cell = cell;
        this.periodNanos = periodNanos;
        this.payload = payload;
    }

    /** Arms the first run, one period from now. */
    void start() {
        planned = System.nanoTime() + periodNanos;
        arm();
    }

    private void arm() {
        TimingWheel.Timeout t;
        try {
            t = cell.node.timers().scheduleAt(planned, this);
        } catch (IllegalStateException wheelStopped) {
            cancel(); // the node is closing: nothing will fire any more
            return;
        }
        next = t;
        if (isCancelled()) {
            t.cancel(); // a cancel() raced with this re-arm and may have missed t
        }
    }

    @Override
    public void run() {
        if (isCancelled()) {
            return;
        }
        if (!cell.node.deliverTick(cell, this)) {
            cancel(); // the service has stopped
            return;
        }
        planned += periodNanos;
        arm();
    }

    @Override
    public boolean cancel() {
        if (!CANCELLED.compareAndSet(this, false, true)) {
            return false;
        }
        TimingWheel.Timeout t = next;
        if (t != null) {
            t.cancel();
        }
        cell.removePeriodic(this);
        return true;
    }

    boolean isCancelled() {
        return (boolean) CANCELLED.getVolatile(this);
    }

    @Override
    public String toString() {
        return "every " + (periodNanos / 1_000_000) + " ms: " + (payload == null ? "null" : payload.getClass().getName())
                + (isCancelled() ? " (cancelled)" : "");
    }
}
