package io.loomnet.internal;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import io.loomnet.scope.Loop;
import io.loomnet.scope.LoopErrorHandler;
import io.loomnet.scope.LoopRunner;

/**
 * The node's monitor: a loop ({@link LoopRunner}, thread {@code loomnet-<id>-monitor}) that looks at every live
 * service each interval, for two things.
 * <ul>
 *   <li>Skynet's stuck handler: one running one message (or {@code onStart}) for longer than the threshold is
 *   reported with its thread's stack, once per message. It only reports; it never interrupts or kills.</li>
 *   <li>Idle threads: a service of a dispatcher that gives each service its own thread
 *   ({@link DispatcherRuntime#retiresIdleThreads}) whose mailbox was unscheduled and whose handled count did not
 *   move for the idle-thread timeout is asked to let its thread end ({@link DispatcherRuntime#retireIdle}).</li>
 * </ul>
 *
 * <p>Cost: the handler path writes two fields per message with release stores; the scan is O(live services) per
 * interval on this thread. The cells' {@code stuckReportedFor}, {@code idleHandledMark} and {@code idleLooks} are
 * this thread's alone.
 */
final class ServiceMonitor {
    private final NodeRuntime node;
    private final String role;
    private final long thresholdNanos;
    private final long intervalNanos;
    /** Looks after the first that must find a service idle before its thread is retired (timeout / interval). */
    private final int idleLooks;
    private volatile LoopRunner runner;

    /** @param role the loop's role, its thread's name after {@code loomnet-}, for example {@code 1-monitor} */
    ServiceMonitor(NodeRuntime node, String role, Duration threshold, Duration interval,
                   Duration idleThreadTimeout) {
        this.node = node;
        this.role = role;
        this.thresholdNanos = threshold.toNanos();
        this.intervalNanos = interval.toNanos();
        long looks = (idleThreadTimeout.toNanos() + intervalNanos - 1) / intervalNanos;
        this.idleLooks = (int) Math.min(Integer.MAX_VALUE, Math.max(1, looks));
    }

    /** Starts the monitor's loop on the node's loop runner; its failures go to {@code errors}. */
    void start(LoopErrorHandler errors) {
        runner = LoopRunner.start(role, new Loop() {
            @Override
            public boolean doWork() {
                LockSupport.parkNanos(this, intervalNanos); // woken early only by a stop
                if (!runner.isStopRequested()) {
                    scan();
                }
                return true;
            }

            @Override
            public void wake() {
                LockSupport.unpark(runner.thread());
            }
        }, errors);
    }

    void scan() {
        long now = System.nanoTime();
        for (ServiceCell c : node.cells()) {
            if (c.dispatcher.retiresIdleThreads()) {
                lookIdle(c);
            }
            long since = c.handlingSince;
            if (since != 0 && now - since > thresholdNanos && c.stuckReportedFor != since) {
                c.stuckReportedFor = since;
                Thread t = c.handlerThread;
                StackTraceElement[] stack = t == null ? new StackTraceElement[0] : t.getStackTrace();
                if (c.handlingSince == since) {
                    node.stuck(c, c.handlingType(), Duration.ofNanos(now - since), stack);
                }
            }
        }
    }

    /**
     * Counts the looks in a row that found {@code c} unscheduled with the same handled count; at {@link #idleLooks}
     * asks its dispatcher to retire its thread. The first look only takes the mark, so the span is at least the
     * timeout and at most the timeout plus two intervals.
     */
    private void lookIdle(ServiceCell c) {
        long handled = c.handledCount();
        if (c.mailbox.isScheduled() || handled != c.idleHandledMark) {
            c.idleHandledMark = handled;
            c.idleLooks = 0;
            return;
        }
        if (++c.idleLooks == idleLooks) {
            c.dispatcher.retireIdle(c); // once per idle span: the count restarts when the service works again
        }
    }

    boolean stop(long deadlineNanos) throws InterruptedException {
        LoopRunner r = runner;
        return r == null || r.stop(deadlineNanos);
    }
}
